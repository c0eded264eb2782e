"""QR codes as SVG documents: the activities' check-in links and the two-factor enrolment key share this one."""

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """The QR code of ``data`` (a link, an otpauth:// URI) as an SVG document, drawn without Pillow."""
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathImage, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    return image.to_string(encoding="unicode")
