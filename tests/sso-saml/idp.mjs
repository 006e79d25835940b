// The organization's identity provider: samlify (https://github.com/tngan/samlify), an
// independent SAML 2.0 implementation, with a key and self-signed certificate made by the
// openssl command for this run. It reads Bulkhead's SP metadata and AuthnRequests with its own
// parser (schema-validated by node-xmllint) and answers with responses it signs itself
// (xml-crypto, RSA-SHA256, exclusive c14n): nothing here comes from Bulkhead's code.

import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import * as validator from "@authenio/samlify-node-xmllint";
import * as samlify from "samlify";

samlify.setSchemaValidator(validator);

const kRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const kPost = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const kEmailFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

// A 2048-bit RSA key and a self-signed certificate for it, as PEM.
function keyPair() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulkhead-saml-idp-"));
  try {
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                                    "-days", "2", "-subj", "/CN=Customer IdP",
                                    "-keyout", path.join(dir, "key.pem"),
                                    "-out", path.join(dir, "cert.pem")],
                        { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`openssl req: ${r.error ?? r.stderr}`);
    return { key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
             cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export class CustomerIdp {
  // binding: "redirect" (the metadata offers HTTP-Redirect and HTTP-POST) or "post" (only POST).
  constructor({ entityId = "https://idp.customer.test/saml", binding = "redirect" } = {}) {
    const { key, cert } = keyPair();
    this.entityId = entityId;
    this.ssoUrl = "https://idp.customer.test/saml/sso";
    const services = [{ Binding: kPost, Location: `${this.ssoUrl}/post` }];
    if (binding === "redirect") services.unshift({ Binding: kRedirect, Location: this.ssoUrl });
    this.idp = samlify.IdentityProvider({
      entityID: entityId,
      signingCert: cert,
      privateKey: key,
      nameIDFormat: [kEmailFormat],
      singleSignOnService: services,
      singleLogoutService: [{ Binding: kRedirect, Location: `${this.ssoUrl}/logout` }],
      wantAuthnRequestsSigned: false,
      isAssertionEncrypted: false,
    });
  }

  metadata() {
    return this.idp.getMetadata();
  }

  // samlify's view of Bulkhead's SP metadata.
  serviceProvider(metadataXml) {
    return samlify.ServiceProvider({ metadata: metadataXml });
  }

  // The AuthnRequest a redirect carried (`location`: Bulkhead's Location header), read and
  // schema-validated by samlify: {request: {id, issuer, destination, assertionConsumerServiceUrl},
  // relayState, info}.
  async readRedirect(sp, location) {
    const url = new URL(location);
    const query = Object.fromEntries(url.searchParams);
    const info = await this.idp.parseLoginRequest(sp, "redirect", { query });
    return { request: info.extract.request, issuer: info.extract.issuer,
             relayState: query.RelayState, info };
  }

  // The same for the HTTP-POST binding's form fields.
  async readPost(sp, fields) {
    const info = await this.idp.parseLoginRequest(sp, "post", { body: fields });
    return { request: info.extract.request, issuer: info.extract.issuer,
             relayState: fields.RelayState, info };
  }

  // A signed SAMLResponse (base64) answering `info` for `user` {email, name?, groups?}, with the
  // assertion signed by samlify because the SP metadata says WantAssertionsSigned. `tweak`
  // changes what a misbehaving IdP would get wrong (audience, times, recipient, in_response_to).
  async respond(sp, info, user, tweak = {}) {
    const now = Date.now() + (tweak.shiftMs ?? 0);
    const iso = (ms) => new Date(ms).toISOString();
    const spMeta = sp.entityMeta;
    const acs = spMeta.getAssertionConsumerService("post");
    const values = {
      Audience: tweak.audience ?? spMeta.getEntityID(),
      Recipient: tweak.recipient ?? acs,
      Destination: acs,
      InResponseTo: tweak.inResponseTo ?? info.extract.request.id,
      NotBefore: iso(now - 60_000),
      NotOnOrAfter: iso(now + (tweak.lifetimeMs ?? 300_000)),
      Now: iso(now),
    };
    const attributes = [["email", [user.email]]];
    if (user.name) attributes.push(["http://schemas.microsoft.com/identity/claims/displayname", [user.name]]);
    if (user.groups) attributes.push(["groups", user.groups]);
    const attributeXml = attributes.map(([name, list]) =>
      `<saml:Attribute Name="${escape(name)}" ` +
      `NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">` +
      list.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`)
        .join("") + "</saml:Attribute>").join("");
    const responseId = `_${crypto.randomUUID()}`;
    const assertionId = `_${crypto.randomUUID()}`;
    const xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ` +
      `xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" ` +
      `IssueInstant="${values.Now}" Destination="${escape(values.Destination)}" ` +
      `InResponseTo="${escape(values.InResponseTo)}"><saml:Issuer>${escape(this.entityId)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
      `xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${assertionId}" Version="2.0" ` +
      `IssueInstant="${values.Now}"><saml:Issuer>${escape(this.entityId)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${kEmailFormat}">${escape(user.email)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
      `<saml:SubjectConfirmationData NotOnOrAfter="${values.NotOnOrAfter}" ` +
      `Recipient="${escape(values.Recipient)}" InResponseTo="${escape(values.InResponseTo)}"/>` +
      `</saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${values.NotBefore}" NotOnOrAfter="${values.NotOnOrAfter}">` +
      `<saml:AudienceRestriction><saml:Audience>${escape(values.Audience)}</saml:Audience>` +
      `</saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${values.Now}" SessionIndex="${assertionId}">` +
      `<saml:AuthnContext><saml:AuthnContextClassRef>` +
      `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport` +
      `</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>` +
      `</saml:Assertion></samlp:Response>`;
    const { context } = await this.idp.createLoginResponse(sp, info, "post", user,
      () => ({ id: responseId, context: xml }));
    return context;
  }
}

export const decode = (b64) => Buffer.from(b64, "base64").toString("utf8");
export const encode = (xml) => Buffer.from(xml, "utf8").toString("base64");
