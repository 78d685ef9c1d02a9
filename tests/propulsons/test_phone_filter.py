"""Every tel: link of the site comes from one filter: the digits and a leading "+" only."""

import pytest

from propulsons.templatetags.phone import tel_href


@pytest.mark.parametrize(
    ("typed", "href"),
    [
        ("03 21 00 00 01", "tel:0321000001"),
        ("03.21.00.00.01", "tel:0321000001"),
        ("06-12-34-56-04", "tel:0612345604"),
        ("+33321000109", "tel:+33321000109"),
        ("+33 (0)3 21 00 01 09", "tel:+33321000109"),
        (" 03 21 00 00 01 ", "tel:0321000001"),
    ],
)
def test_a_phone_typed_any_way_dials_its_digits(typed, href):
    assert tel_href(typed) == href
