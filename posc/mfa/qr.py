"""The set-up page's QR code, as inline SVG markup (the CSP allows no inline style or script)."""

import segno
from django.utils.safestring import SafeString, mark_safe

QR_LABEL = "QR code to scan with your authenticator app"


def qr_svg(text: str) -> SafeString:
    """Return an <svg> of *text* as a QR code: attributes only, no style, named for readers."""
    svg = segno.make(text, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff",
                                                 svgclass="qr", lineclass=None)
    # segno writes only path data and numbers here: the secret is never in the markup as text.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{QR_LABEL}" ', 1))
