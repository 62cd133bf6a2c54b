"""What checking and re-encoding a submitted image costs, against Pillow doing the bare minimum.

Reference (same run, same bytes): Pillow opening, decoding and saving the image as JPEG with
no checks (``floor``). ``wiredesk`` is ``releases.images.process_image``: header checks,
verify(), a second open, EXIF transpose, scale-down to 2000 px, optimized progressive JPEG.
Also: how long refusing a decompression bomb takes, against decoding the same number of
pixels would (the point of checking the header first).

    .venv/bin/python benchmarks/release_image.py
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.releases.test_images import png_header_only

from wiredesk.releases.images import ImageRejected, process_image

LIMITS = {"max_bytes": 50 * 1024 * 1024, "max_pixels": 40_000_000}
REPEAT = 3


def photo(width: int, height: int) -> bytes:
    # A gradient with noise compresses like a photo, unlike a flat colour.
    image = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image, noise, 0.3)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    image.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def floor(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()
    image.save(io.BytesIO(), format="JPEG", quality=85)


def best(fn, *args, **kwargs) -> tuple[float, float]:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def refuse(data: bytes) -> None:
    try:
        process_image(data, **LIMITS)
    except ImageRejected:
        return
    raise AssertionError("bomb accepted")


def main() -> None:
    rows = []
    for width, height in ((1600, 1200), (4000, 3000)):
        data = photo(width, height)
        # Interleaved, best of REPEAT each: the machine is shared and noisy.
        floor_times, ours_times = [], []
        for _ in range(REPEAT):
            floor_times.append(best(floor, data)[0])
            ours_times.append(best(process_image, data, **LIMITS)[0])
        floor_best, ours_best = min(floor_times), min(ours_times)
        rows.append({"case": f"re-encode {width}x{height} JPEG ({len(data) // 1024} KiB)",
                     "reference": "Pillow decode+save", "reference_ms": floor_best * 1000,
                     "wiredesk_ms": ours_best * 1000, "ratio": ours_best / floor_best})
    bomb = png_header_only(30_000, 30_000)
    refuse_best, _ = best(refuse, bomb)
    big = photo(4000, 3000)
    decode_best, _ = best(lambda d: Image.open(io.BytesIO(d)).load(), big)
    # Decoding 900 Mpx would take ~75x the 12 Mpx decode; refusal reads only the header.
    projected = decode_best * (30_000 * 30_000) / (4000 * 3000)
    rows.append({"case": f"refuse 30000x30000 PNG bomb ({len(bomb)} bytes)",
                 "reference": "decoding it (projected from 12 Mpx decode)",
                 "reference_ms": projected * 1000, "wiredesk_ms": refuse_best * 1000,
                 "ratio": refuse_best / projected})
    print(f"{'case':<48} {'reference':<44} {'ref ms':>9} {'ours ms':>9} {'ratio':>8}")
    for r in rows:
        print(f"{r['case']:<48} {r['reference']:<44} {r['reference_ms']:>9.1f} "
              f"{r['wiredesk_ms']:>9.3f} {r['ratio']:>8.3g}")
    out = Path(__file__).parent / "results" / "release_image.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"repeat": REPEAT, "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
