"""A month's post as a PNG readable on a phone: the text drawn with a font that has Cyrillic
(DejaVu Sans, Debian package fonts-dejavu-core; ``make system-packages`` installs it)."""

from __future__ import annotations

import io
import os

from PIL import Image, ImageDraw, ImageFont

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
WIDTH = 1080
MARGIN = 64
TITLE_SIZE = 52
TEXT_SIZE = 40
LINE_GAP = 14
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)
ACCENT = (140, 20, 40)
MUTED = (90, 90, 90)


class FontMissing(RuntimeError):
    """The font the image needs is not installed; the message says what to install."""


def _font(directory: str, name: str, size: int) -> ImageFont.FreeTypeFont:
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        raise FontMissing(
            f"{path} is missing: install the Debian package fonts-dejavu-core (make system-packages) "
            "or set MONTH_REPORT_FONT_DIR to a folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf"
        )
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """The paragraph broken into lines no wider than ``width`` pixels (at spaces)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and draw.textlength(candidate, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def render_post_png(title: str, body: str, footer: str, *, font_dir: str | None = None) -> bytes:
    """The title, the body's lines and a muted footer on a white card, as PNG bytes."""
    directory = font_dir or DEFAULT_FONT_DIR
    title_font = _font(directory, "DejaVuSans-Bold.ttf", TITLE_SIZE)
    text_font = _font(directory, "DejaVuSans.ttf", TEXT_SIZE)
    small_font = _font(directory, "DejaVuSans.ttf", TEXT_SIZE - 12)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    inner = WIDTH - 2 * MARGIN
    blocks = [
        (_wrap(scratch, title, title_font, inner), title_font, ACCENT),
        (_wrap(scratch, body, text_font, inner), text_font, INK),
        (_wrap(scratch, footer, small_font, inner), small_font, MUTED),
    ]
    height = MARGIN * 2
    for lines, font, _colour in blocks:
        height += len(lines) * (int(font.size) + LINE_GAP) + 28
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 12, height), fill=ACCENT)
    y = MARGIN
    for lines, font, colour in blocks:
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=colour)
            y += int(font.size) + LINE_GAP
        y += 28
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
