"""Re-encode the photos stored before the input gate (issue #14.5), without their metadata.

Photos uploaded since are stored re-encoded by `core.uploads.clean_image`; older ones may
still carry EXIF (a GPS position among them). Each file is decoded and written back in place,
upright, without EXIF, XMP or text chunks. Safe to re-run (a clean image stays clean);
files that cannot be read are left as they are (they are reported, not deleted); storage
without local paths is skipped. Data only: no schema change.
"""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.db import migrations


def _strip(name: str) -> bool:
    from PIL import Image, ImageOps

    try:
        path = default_storage.path(name)
    except NotImplementedError:
        return False
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        with Image.open(io.BytesIO(raw)) as img:
            fmt = img.format
            if fmt not in ("JPEG", "PNG"):
                return False
            img.load()
            upright = ImageOps.exif_transpose(img) or img
            out = io.BytesIO()
            if fmt == "JPEG":
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=90, optimize=True)
            else:
                upright.save(out, "PNG", optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        print(f"  photo left as it is (unreadable): {name}")  # noqa: T201
        return False
    with open(path, "wb") as fh:
        fh.write(out.getvalue())
    return True


def strip_photos(apps, schema_editor):  # noqa: ARG001
    for model_name in ("MemorialRecord", "Tribute"):
        model = apps.get_model("memorial", model_name)
        names = model.objects.exclude(photo="").values_list("photo", flat=True)
        for name in names.iterator(chunk_size=500):
            _strip(name)


class Migration(migrations.Migration):
    dependencies = [("memorial", "0004_editor_notification")]

    operations = [migrations.RunPython(strip_photos, migrations.RunPython.noop)]
