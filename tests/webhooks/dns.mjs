// A DNS server on a loopback UDP port that answers TXT queries from a table the test fills and
// NXDOMAIN for anything else: what `serve --dns-server` asks when a custom domain is verified
// (domain.verified). The wire format is RFC 1035's; nothing else is implemented.

import dgram from "node:dgram";

export class TxtServer {
  constructor() {
    this.records = new Map();  // lower-case name -> [value...]
    this.socket = dgram.createSocket("udp4");
    this.socket.on("message", (query, peer) => {
      const answer = this.answer(query);
      if (answer) this.socket.send(answer, peer.port, peer.address);
    });
  }

  async start() {
    await new Promise((resolve) => this.socket.bind(0, "127.0.0.1", resolve));
    return `127.0.0.1:${this.socket.address().port}`;
  }

  stop() {
    this.socket.close();
  }

  setTxt(name, values) {
    this.records.set(name.toLowerCase().replace(/\.$/, ""), values);
  }

  answer(query) {
    if (query.length < 12) return null;
    const labels = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      const length = query[at];
      labels.push(query.subarray(at + 1, at + 1 + length).toString("ascii"));
      at += 1 + length;
    }
    const questionEnd = at + 5;  // the root label, QTYPE, QCLASS
    if (questionEnd > query.length) return null;
    const qtype = query.readUInt16BE(at + 1);
    const values = qtype === 16 ? this.records.get(labels.join(".").toLowerCase()) : undefined;
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);                                   // ID
    header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | (values ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);                                    // QDCOUNT
    header.writeUInt16BE(values ? values.length : 0, 6);           // ANCOUNT
    const parts = [header, query.subarray(12, questionEnd)];
    for (const value of values ?? []) {
      const text = Buffer.from(value, "utf8");
      const rdata = Buffer.concat([Buffer.from([text.length]), text]);
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0);  // the question's name
      fixed.writeUInt16BE(16, 2);      // TXT
      fixed.writeUInt16BE(1, 4);       // IN
      fixed.writeUInt32BE(0, 6);       // TTL
      fixed.writeUInt16BE(rdata.length, 10);
      parts.push(fixed, rdata);
    }
    return Buffer.concat(parts);
  }
}
