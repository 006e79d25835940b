#pragma once
// The hosted pages' HTML: one layout, server-rendered, working without JavaScript. Every page
// is sent with a Content-Security-Policy that forbids framing and scripts, so that a page that
// takes a password cannot be clickjacked or made to run anything. Pure functions.

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace bulkhead::api {

// An organization's look on the pages (its settings' branding), when the request names one.
struct Branding {
  std::string display_name;   // empty: "Bulkhead"
  std::string logo_url;       // https URL or empty
  std::string primary_color;  // "#rrggbb" or empty
};

struct Page {
  std::string title;      // plain text
  std::string body_html;  // already escaped: build it with HtmlEscape
  Branding branding;
  int status = 200;
};

// `text` with & < > " ' escaped: safe in element content and in quoted attribute values.
std::string HtmlEscape(std::string_view text);

// The page as a complete response: text/html, no-store, frame-ancestors 'none'.
http::Response RenderPage(const Page& page);

}  // namespace bulkhead::api
