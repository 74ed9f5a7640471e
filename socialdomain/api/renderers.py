"""The API's JSON: DRF's `JSONRenderer`, encoded by orjson.

The partner allocation list renders 50 allocations a page; Python's `json` took a tenth of that
request (docs/performance.md, issue #26). orjson writes the same bytes: compact, UTF-8, keys in
order, U+2028 and U+2029 escaped as DRF does, and every value it does not know itself (lazy
translations, dates and moments, decimals, sets) converted by DRF's own encoder, so a moment
in UTC still ends in `Z`. A pretty-printed response (`Accept: application/json; indent=4`, the
browsable API) and anything orjson refuses (an integer beyond 64 bits) take DRF's path.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
# keys that are not strings (rare): orjson takes twice as long with this option, so a
# response is first encoded without it
_NON_STR_KEYS = _OPTIONS | orjson.OPT_NON_STR_KEYS


class JSONRenderer(renderers.JSONRenderer):
    _default = staticmethod(JSONEncoder().default)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self._default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            try:
                rendered = orjson.dumps(data, default=self._default, option=_NON_STR_KEYS)
            except orjson.JSONEncodeError:
                return super().render(data, accepted_media_type, renderer_context)
        # as DRF: JSON that is also a strict subset of JavaScript. U+2028 and U+2029 are
        # written as bytes E2 80 A8 and E2 80 A9: without an E2 byte (one search, where the
        # two replacements search twice) there is nothing to escape
        if b"\xe2" not in rendered:
            return rendered
        return rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
