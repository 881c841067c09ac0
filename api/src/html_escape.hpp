#pragma once
// Text into HTML (the printable Blå Bog): the five characters that can end a text node or an
// attribute value, or start markup or an entity, become entities; every other byte is copied.

#include <string>
#include <string_view>

namespace kkr::api {

/// Appends `text` to `out` with & < > " ' written as &amp; &lt; &gt; &quot; &#39;, so that it is
/// safe both as element content and inside a quoted attribute value.
void appendHtmlEscaped(std::string& out, std::string_view text);

}  // namespace kkr::api
