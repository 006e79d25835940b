#include "api/page.hpp"

namespace bulkhead::api {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

http::Response RenderPage(const Page& page) {
  const Branding& b = page.branding;
  std::string name = b.display_name.empty() ? "Bulkhead" : b.display_name;
  std::string color = b.primary_color.empty() ? "#1f4f8f" : b.primary_color;
  std::string html;
  html.reserve(2048 + page.body_html.size());
  html += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>" + HtmlEscape(page.title) + " · " + HtmlEscape(name) + "</title>";
  // The colour is validated "#rrggbb" by the settings; escaped all the same.
  html += "<style>:root{--brand:" + HtmlEscape(color) +
          "}body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 "
          "1rem;color:#1b1b1b}header{display:flex;gap:.75rem;align-items:center}header "
          "img{max-height:2.5rem}label{display:block;margin:.75rem 0 .25rem}input,select{width:"
          "100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem "
          "1rem;background:var(--brand);color:#fff;border:0;border-radius:.25rem}p.error{color:"
          "#a00}"
          // Keyboard users see where they are; errors stand out without relying on colour.
          ":focus-visible{outline:3px solid var(--brand);outline-offset:2px}a{color:var(--brand)}"
          ".error{color:#a00;border-left:4px solid #a00;padding-left:.75rem}fieldset{border:1px "
          "solid #ccc;margin:1rem 0}ul{list-style:none;padding:0}li{display:flex;gap:.5rem;"
          "align-items:baseline}li input{width:auto}label.inline{display:inline;margin:0}"
          "small{color:#555}</style></head><body><header>";
  if (!b.logo_url.empty()) {
    html += "<img src=\"" + HtmlEscape(b.logo_url) + "\" alt=\"\">";
  }
  html += "<strong>" + HtmlEscape(name) + "</strong></header><main><h1>" + HtmlEscape(page.title) +
          "</h1>" + page.body_html + "</main></body></html>\n";

  http::Response response;
  response.status = page.status;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::move(html);
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; img-src https:; "
                     "frame-ancestors 'none'; base-uri 'none'");
  response.SetHeader("X-Frame-Options", "DENY");
  response.SetHeader("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace bulkhead::api
