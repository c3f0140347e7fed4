"""PDF of the same content: LibreOffice (headless Writer) converts the .docx.

Chosen over WeasyPrint from HTML because the PDF is then the very document staff edit and
sign, with the same layout, fonts, header, page numbers and pictures, not a second rendering
to keep in step. ``libreoffice-writer-nogui`` is installed by scripts/system-deps.sh.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile (~10 s here)


class PdfError(Exception):
    pass


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise PdfError(
            "LibreOffice is not installed: run scripts/system-deps.sh "
            "(apt-get install libreoffice-writer-nogui)"
        )
    return found


def docx_to_pdf(docx: Path, pdf: Path) -> Path:
    """Convert ``docx`` into ``pdf`` with a private LibreOffice profile, so two conversions at
    once (the runner and a user on the dashboard) do not fight over the user's profile."""
    with tempfile.TemporaryDirectory(prefix="yuqing-soffice-") as work:
        out = Path(work) / "out"
        command = [
            soffice(),
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        made = out / (docx.stem + ".pdf")
        if done.returncode != 0 or not made.exists():
            raise PdfError(f"LibreOffice could not convert {docx}: {done.stderr.strip()[:300]}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), pdf)
    return pdf
