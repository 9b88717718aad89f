"""Benchmark the photo pipeline: 100 camera-sized JPEGs, processed cold and then warm (cached).

Usage::

    .venv/bin/python benchmarks/bench_images.py            # 100 × 4000×3000, art of 60 synthetic cases
    .venv/bin/python benchmarks/bench_images.py --count 10 --width 2000 --height 1500
    .venv/bin/python benchmarks/bench_images.py --cards 300 --cards-only   # covers and social cards only

Each phase (generate, check, cold, warm) runs in a fresh spawned process, so
its peak RSS (``ru_maxrss``) is its own.  Prints per-image medians and totals.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


def _generate(directory: str, count: int, width: int, height: int) -> dict[str, Any]:
    """Write ``count`` synthetic camera-like JPEGs (gradient + noise + shapes + EXIF)."""
    from PIL import Image, ImageDraw

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    small = (width // 8, height // 8)
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    sizes = []
    for i in range(count):
        grad = Image.linear_gradient("L").resize(small).rotate(i * 7 % 360)
        base = Image.merge("RGB", (grad, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grad.rotate(90)))
        d = ImageDraw.Draw(base)
        d.ellipse((i % 50, i % 40, small[0] // 2 + i, small[1] // 2), fill=(200, 40 + i, 60))
        img = Image.blend(base.resize((width, height), Image.Resampling.BILINEAR), noise, 0.25)
        exif = Image.Exif()
        exif[0x0112] = 6 if i % 4 == 0 else 1
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (31.0, 14.0, float(i))
        path = out / f"photo-{i:03d}.jpg"
        img.save(path, "JPEG", quality=88, exif=exif.tobytes())
        sizes.append(path.stat().st_size)
    return {"median_mb": statistics.median(sizes) / 2**20, "rss_mb": _peak_rss_mb()}


def _process(directory: str, cache_dir: str) -> dict[str, Any]:
    from site_builder.media import photos as images

    images.stats.reset()
    times = []
    start = time.perf_counter()
    for path in sorted(Path(directory).glob("*.jpg")):
        t = time.perf_counter()
        images.process_image(path, cache_dir=Path(cache_dir))
        times.append(time.perf_counter() - t)
    return {
        "total_s": time.perf_counter() - start,
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "decodes": images.stats.decodes,
        "hits": images.stats.cache_hits,
        "rss_mb": _peak_rss_mb(),
    }


def _process_parallel(directory: str, cache_dir: str) -> dict[str, Any]:
    from site_builder.media import photos as images

    images.stats.reset()
    paths = sorted(Path(directory).glob("*.jpg"))
    start = time.perf_counter()
    results = images.process_images(paths, cache_dir=Path(cache_dir))
    total = time.perf_counter() - start
    assert all(isinstance(r, images.ProcessedImage) for r in results.values())
    return {
        "total_s": total,
        "median_ms": total / len(paths) * 1000,
        "max_ms": float("nan"),
        "decodes": images.stats.decodes,
        "hits": images.stats.cache_hits,
        "rss_mb": _peak_rss_mb(),
    }


def _check(directory: str) -> dict[str, Any]:
    from site_builder.media import photos as images

    times = []
    start = time.perf_counter()
    for path in sorted(Path(directory).glob("*.jpg")):
        t = time.perf_counter()
        assert images.check_image(path) is None, path
        times.append(time.perf_counter() - t)
    return {
        "total_s": time.perf_counter() - start,
        "median_ms": statistics.median(times) * 1000,
        "rss_mb": _peak_rss_mb(),
    }


def _art(count: int) -> dict[str, Any]:
    """Draw the covers and social cards of the real cases and ``count`` synthetic ones, as a build does.

    Cases are sorted by district and field (``media/plan.py`` does so, so cards share their pattern
    layer); times are process time per image, sizes the encoded bytes.
    """
    from site_builder.casefile.loader import load_cases
    from site_builder.casefile.vocab import load_vocabularies
    from site_builder.media import art
    from site_builder.media.plan import field_of
    from tests.support.synthetic import synthetic_cases

    vocab = load_vocabularies()
    real = load_cases([ROOT / "cases"], check_images=False, parallel=False).cases
    out: dict[str, Any] = {}
    art.render_social_card("预热", None, None)  # fonts loaded outside the timings
    for label, cases in (("real", real), ("synthetic", synthetic_cases(count))):
        cases = sorted(cases, key=lambda c: (c.district_slug or "", c.fields[0] if c.fields else "", c.id))
        card_ms, card_kb, cover_ms, cover_kb = [], [], [], []
        for case in cases:
            field, slug = field_of(case, vocab)
            t = time.process_time()
            card = art.render_social_card(
                case.title,
                case.summary,
                case.district,
                district_slug=case.district_slug,
                field=field,
                field_slug=slug,
            )
            card_ms.append((time.process_time() - t) * 1000)
            card_kb.append(len(card) / 1024)
            t = time.process_time()
            cover = art.render_cover(case.district, case.district_slug, field, slug)
            cover_ms.append((time.process_time() - t) * 1000)
            cover_kb.append(len(cover) / 1024)
        out[label] = {
            "n": len(cases),
            "card_ms": statistics.median(card_ms),
            "card_kb": statistics.mean(card_kb),
            "card_max_kb": max(card_kb),
            "cover_ms": statistics.median(cover_ms),
            "cover_kb": statistics.mean(cover_kb),
        }
    return out


def _child(queue: Any, func: Any, args: tuple[Any, ...]) -> None:
    queue.put(func(*args))


def _run(func: Any, *args: Any) -> dict[str, Any]:
    """Run ``func(*args)`` in a fresh (non-daemonic, so it may start workers) spawned process."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, func, args))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def main() -> None:
    """Run the benchmark and print medians, totals and peak memory per phase."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--cards", type=int, default=60, help="synthetic cases whose art is drawn (0: none)")
    parser.add_argument("--cards-only", action="store_true", help="skip the photos")
    args = parser.parse_args()

    if args.cards:
        r = _run(_art, args.cards)
        for label in ("real", "synthetic"):
            a = r[label]
            print(
                f"art {label:<9}: {a['n']} cases, social card median {a['card_ms']:.1f} ms, "
                f"mean {a['card_kb']:.1f} KB (max {a['card_max_kb']:.1f}); "
                f"cover median {a['cover_ms']:.1f} ms, mean {a['cover_kb']:.1f} KB"
            )
    if args.cards_only:
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-images-"))
    photos, cache = tmp / "photos", tmp / "cache"
    try:
        gen = _run(_generate, str(photos), args.count, args.width, args.height)
        print(f"generated {args.count} × {args.width}×{args.height} JPEG, median {gen['median_mb']:.2f} MB")
        chk = _run(_check, str(photos))
        print(
            f"check_image : total {chk['total_s']:.2f} s, median {chk['median_ms']:.0f} ms/image, "
            f"peak RSS {chk['rss_mb']:.0f} MB"
        )
        phases = (
            ("cold", _process, cache),
            ("warm", _process, cache),
            ("cold ×jobs", _process_parallel, tmp / "cache-parallel"),
            ("warm ×jobs", _process_parallel, tmp / "cache-parallel"),
        )
        for label, func, cache_dir in phases:
            r = _run(func, str(photos), str(cache_dir))
            worst = "" if r["max_ms"] != r["max_ms"] else f" (max {r['max_ms']:.0f} ms)"  # NaN: not measured
            print(
                f"{label:<12}: total {r['total_s']:.2f} s, median {r['median_ms']:.1f} ms/image{worst}, "
                f"decodes {r['decodes']}, cache hits {r['hits']}, peak RSS {r['rss_mb']:.0f} MB"
            )
        print("(×jobs rows: per-image figure is wall time / count; RSS is the parent process only)")
        out_bytes = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
        print(f"cache size  : {out_bytes / 2**20:.1f} MB for {args.count} photos")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
