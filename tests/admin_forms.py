"""The fields a browser would send back from an admin change page, read from its HTML, so a
test can change one value and post the whole form as an instructor would."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data[name] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea, self.data[name] = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            text = self.data[self._textarea]  # a browser drops the newline after the tag
            self.data[self._textarea] = text[1:] if text.startswith("\n") else text
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def change_form_data(page: bytes) -> dict[str, str]:
    """Every field of the page's forms with the value shown (unticked boxes are left out)."""
    parser = _FormFields()
    parser.feed(page.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def post_mode(client, challenge, *, public_ladder: bool):
    """An instructor's admin save of `challenge` with the Ladder box ticked or not."""
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = change_form_data(client.get(url).content)
    data.pop("public_ladder", None)
    if public_ladder:
        data["public_ladder"] = "on"
    return client.post(url, data)
