"""Share links of a project page: plain addresses, no third-party script, nothing loaded from
a network until the visitor follows one."""

from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _


def share_links(*, url: str, title: str, text: str) -> list[dict[str, str]]:
    body = f"{text}\n\n{url}" if text else url
    mail = "mailto:?" + urlencode({"subject": title, "body": body}, quote_via=quote)
    return [
        {"name": _("E-mail"), "href": mail, "network": "email"},
        {
            "name": "Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
            "network": "facebook",
        },
        {
            "name": "LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
            "network": "linkedin",
        },
        {
            "name": "X (Twitter)",
            "href": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": title}),
            "network": "x",
        },
        {
            "name": "WhatsApp",
            "href": "https://wa.me/?" + urlencode({"text": f"{title} {url}"}),
            "network": "whatsapp",
        },
    ]
