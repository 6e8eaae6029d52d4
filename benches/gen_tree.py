#!/usr/bin/env python3
"""Deterministic benchmark trees for zenduty-migrate (stdlib only).

Two kinds of tree:

  scan   FILES text files (0.5 to 64 KiB, sizes skewed small so the mean hits MB / FILES), a few
         dozen legacy Zenduty URLs planted in varied file types (some next to plain mentions of the
         vendor), files that mention Zenduty without a legacy URL (prose, Generic URLs, other vendor
         API paths), and a directory ignored through .gitignore that holds URLs which must not be
         counted. The tree is made a git work tree (`git init`, nothing committed) so that ripgrep,
         like zenduty-migrate, honours its .gitignore.

  apply  EDIT_FILES files holding EDITS legacy URLs between them, all rewritable with an account.

A manifest (JSON) describing what was planted is written to --manifest (outside the tree), so
that the benchmark can check the finding count.

Same arguments and seed => byte-identical tree.
"""

import argparse
import bisect
import json
import os
import random
import shutil
import subprocess
import sys

KIB = 1024
MIN_SIZE = 512
MAX_SIZE = 64 * KIB

# Ordinary code and prose tokens. Letter frequencies roughly like real code; includes near misses
# for the prefilter ("zen", "duty", "rule", "json", "zone", "lazy") but never the needles.
WORDS = """
a about above access account action active add address after agent alert all allow also and
api app append apply args array as assert async at auth await backend base batch before bind
block body bool branch break buffer build bytes cache call cancel case cert chain change channel
check child class clean clear client close cluster code column commit config connect const
context copy count create cron data database date debug default defer delete deploy detail dict
dir disk done duty_cycle each else emit enable encode end endpoint entry env error event except
exit export false fetch field file filter final find first flag float flush for format frame
from func get global group handle hash header health host http id if import index info init
inner input insert int into is item items job join json key keys kind label lazy len level
limit line list load local lock log logger loop main map match max merge message meta method
min mode model module monitor name new next node none not null number object of offset ok on
open option order output owner package page pager param parse path pattern payload peer pipe
point policy pool port post prefix print private process proxy public push query queue range
read ready record region remote remove render replace reply request reset resolve resource
response result retry return role root route rule run runner scale schema scope secret select
self send serialize server service session set shard size sleep slice source span split stack
start state step stop store stream string struct sub summary sync table tag target task team
template test text then thread time timeout timer token topic trace true try type update upload
url user util value var version view volume wait warn watch while window worker write yaml
yield zen zone zip
""".split()

EXTS = [
    # (extension or file name, weight)
    (".py", 14), (".js", 10), (".ts", 8), (".go", 8), (".java", 5), (".rb", 3), (".md", 8),
    (".yaml", 8), (".yml", 3), (".json", 7), (".tf", 4), (".sh", 5), (".txt", 4), (".toml", 2),
    (".html", 3), (".css", 2), (".xml", 2), (".cs", 2), (".php", 2),
]


def ident(r, n=2):
    return "_".join(r.choice(WORDS) for _ in range(n))


def camel(r, n=2):
    return "".join(r.choice(WORDS).capitalize() for _ in range(n))


def words(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n))


def line_for(ext, r, i):
    """One filler line for a file type. `i` (a counter) keeps keys unique where it matters."""
    k = r.randrange(6)
    if ext in (".py",):
        return [
            f"def {ident(r)}({r.choice(WORDS)}, {r.choice(WORDS)}={r.randrange(100)}):",
            f"    {ident(r)} = {r.choice(WORDS)}.{ident(r)}({r.choice(WORDS)}, {r.choice(WORDS)})",
            f"    return {r.choice(WORDS)}_{i}",
            f"# {words(r, r.randrange(4, 12))}",
            f"import {r.choice(WORDS)}.{r.choice(WORDS)}",
            f"class {camel(r)}{i}({camel(r, 1)}):",
        ][k]
    if ext in (".js", ".ts"):
        return [
            f"const {r.choice(WORDS)}{camel(r, 1)}{i} = {r.choice(WORDS)}.{r.choice(WORDS)}({r.choice(WORDS)});",
            f"export function {r.choice(WORDS)}{camel(r)}({r.choice(WORDS)}, {r.choice(WORDS)}) {{",
            "}",
            f"// {words(r, r.randrange(4, 12))}",
            f"  if ({r.choice(WORDS)} === '{words(r, 2)}') return {r.choice(WORDS)};",
            f"import {{ {camel(r, 1)} }} from './{r.choice(WORDS)}/{r.choice(WORDS)}';",
        ][k]
    if ext == ".go":
        return [
            f"func ({r.choice(WORDS)[0]} *{camel(r)}) {camel(r)}{i}({r.choice(WORDS)} string) error {{",
            f"\t{r.choice(WORDS)}{i} := {r.choice(WORDS)}.{camel(r)}({r.choice(WORDS)})",
            "\tif err != nil {\n\t\treturn err\n\t}",
            f"// {camel(r, 1)} {words(r, r.randrange(4, 12))}",
            "}",
            f"\tlog.Printf(\"{words(r, 3)}: %v\", {r.choice(WORDS)})",
        ][k]
    if ext in (".java", ".cs", ".php"):
        return [
            f"    public {camel(r, 1)} {r.choice(WORDS)}{camel(r)}{i}({camel(r, 1)} {r.choice(WORDS)}) {{",
            f"        {camel(r, 1)} {r.choice(WORDS)}{i} = {r.choice(WORDS)}.{r.choice(WORDS)}{camel(r, 1)}();",
            "    }",
            f"    // {words(r, r.randrange(4, 12))}",
            f"        return {r.choice(WORDS)}{i};",
            f"import com.{r.choice(WORDS)}.{r.choice(WORDS)}.{camel(r, 1)};",
        ][k]
    if ext == ".rb":
        return [
            f"  def {ident(r)}_{i}({r.choice(WORDS)})",
            f"    @{r.choice(WORDS)} = {r.choice(WORDS)}.{ident(r)}",
            "  end",
            f"  # {words(r, r.randrange(4, 12))}",
            f"    {r.choice(WORDS)} ||= {camel(r, 1)}.new",
            f"require '{r.choice(WORDS)}/{r.choice(WORDS)}'",
        ][k]
    if ext == ".md":
        return [
            f"## {words(r, 3).capitalize()} {i}",
            f"{words(r, r.randrange(8, 20)).capitalize()}.",
            f"- `{ident(r)}`: {words(r, r.randrange(3, 9))}",
            "",
            f"See [{words(r, 2)}](https://docs.example.com/{r.choice(WORDS)}/{r.choice(WORDS)}).",
            f"{words(r, r.randrange(6, 14)).capitalize()}, {words(r, 5)}.",
        ][k]
    if ext in (".yaml", ".yml"):
        # Top-level keys made unique by the counter: every slice of lines is a valid mapping.
        return f"{ident(r)}_{i}: {words(r, r.randrange(1, 5))}"
    if ext == ".json":
        return f"  \"{ident(r)}_{i}\": \"{words(r, r.randrange(1, 6))}\","
    if ext == ".tf":
        return (
            f"resource \"aws_{ident(r)}\" \"r{i}\" {{\n"
            f"  name = \"{ident(r)}\"\n  count = {r.randrange(9)}\n}}\n"
        )
    if ext == ".sh":
        return [
            f"export {ident(r).upper()}_{i}=\"{r.choice(WORDS)}\"",
            f"if [ -f \"${{{r.choice(WORDS).upper()}}}\" ]; then",
            f"  {r.choice(WORDS)} --{r.choice(WORDS)} {r.choice(WORDS)}",
            "fi",
            f"# {words(r, r.randrange(4, 12))}",
            f"{r.choice(WORDS)}_{i}() {{ {r.choice(WORDS)} \"$@\"; }}",
        ][k]
    if ext == ".toml":
        return f"{ident(r)}_{i} = \"{words(r, 3)}\""
    if ext in (".html", ".xml"):
        return f"<div class=\"{r.choice(WORDS)}\" id=\"{ident(r)}{i}\">{words(r, r.randrange(3, 10))}</div>"
    if ext == ".css":
        return f".{r.choice(WORDS)}-{r.choice(WORDS)}{i} {{ margin: {r.randrange(20)}px; }}"
    return f"2024-05-{1 + i % 28:02d}T12:{i % 60:02d}:00Z INFO {words(r, r.randrange(5, 15))}"


def build_pools(r, pool_bytes):
    """Per file type: a block of filler text and its line start offsets."""
    pools = {}
    for ext, _ in EXTS:
        lines, size, i = [], 0, 0
        while size < pool_bytes:
            ln = line_for(ext, r, i) + "\n"
            lines.append(ln)
            size += len(ln)
            i += 1
        text = "".join(lines)
        starts, off = [], 0
        for ln in lines:
            starts.append(off)
            off += len(ln)
        pools[ext] = (text, starts)
    return pools


def filler(pools, ext, r, size):
    """About `size` bytes of `ext` filler: one contiguous run of whole pool lines (so keys stay
    unique and blocks whole)."""
    text, starts = pools[ext]
    last = bisect.bisect_right(starts, len(text) - size) - 1
    s = starts[r.randrange(max(1, last + 1))]
    j = bisect.bisect_right(starts, s + size)
    end = starts[j] if j < len(starts) else len(text)
    return text[s:end]


def size_sampler(r, mean):
    """Sizes in [MIN_SIZE, MAX_SIZE] with the given mean: MIN + SPAN * u**p."""
    span = MAX_SIZE - MIN_SIZE
    mean = min(max(mean, MIN_SIZE + span / 50), MIN_SIZE + span / 2)
    p = span / (mean - MIN_SIZE) - 1
    return lambda: int(MIN_SIZE + span * (r.random() ** p))


def uuid(r):
    h = "%032x" % r.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


def token(r):
    return "".join(r.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(20))


# Planted legacy URLs: (extensions it fits, function(r) -> line). Each line holds exactly one legacy
# URL, written as the SPEC's examples are.
PLANTS = [
    ((".py",), lambda r: f'ZENDUTY_URL = "https://events.zenduty.com/api/events/{uuid(r)}/"'),
    ((".py",), lambda r: 'url = f"https://events.zenduty.com/api/events/{ZENDUTY_INTEGRATION_KEY}/"'),
    ((".py",), lambda r: 'endpoint = "https://www.zenduty.com/api/events/{}/".format(key)'),
    ((".py",), lambda r: 'hook = "https://www.zenduty.com/api/events/%s/" % zd_key'),
    ((".js", ".ts"), lambda r: "const url = `https://events.zenduty.com/api/events/${process.env.ZD_KEY}/`;"),
    ((".js", ".ts"), lambda r: "const base = 'https://www.zenduty.com/api/events/' + key + '/';"),
    ((".go",), lambda r: '\turl := fmt.Sprintf("https://www.zenduty.com/api/events/%s/", key)'),
    ((".java", ".cs"), lambda r: f'    private static final String URL = "https://events.zenduty.com/api/events/{uuid(r)}/";'),
    ((".rb",), lambda r: '  URL = "https://www.zenduty.com/api/events/#{ENV[\'ZD_KEY\']}/"'),
    ((".sh",), lambda r: 'curl -X POST "https://www.zenduty.com/api/events/${ZENDUTY_KEY}/" -d @alert.json'),
    ((".sh",), lambda r: f'ZD_ENDPOINT=http://WWW.Zenduty.com/api/events/{token(r)}'),
    ((".md",), lambda r: "Send alerts with `POST https://www.zenduty.com/api/events/<integration-key>/`."),
    ((".md",), lambda r: f"The staging hook is https://events.zenduty.com/api/events/{uuid(r)}/?source=ci here."),
    ((".yaml", ".yml"), lambda r: 'zenduty_webhook_planted: "https://www.zenduty.com/api/events/{{ .Values.zenduty.key }}/"'),
    ((".yaml", ".yml"), lambda r: f"zenduty_url_planted: https://events.zenduty.com/api/events/{uuid(r)}/"),
    ((".yaml", ".yml"), lambda r: 'zenduty_base_planted: "https://www.zenduty.com/api/events"'),
    ((".txt", ".toml"), lambda r: f"endpoint = \"https://events.zenduty.com/api/events/{uuid(r)}/\""),
    ((".html", ".xml"), lambda r: f"<a href=\"https://events.zenduty.com/api/events/{uuid(r)}/\">alerts</a>"),
]

# Mentions of the vendor that are not legacy URLs (realism: what `rg zenduty` also lists).
MENTIONS = [
    "Alerts are routed to Zenduty; the on-call rota lives there.",
    "See the Zenduty docs for escalation policies.",
    "zenduty on-call handoff happens every Monday.",
    "New endpoint: https://events.zenduty.com/integration/ab12c/generic/{key}/ (already migrated).",
    "Incidents: https://www.zenduty.com/api/incidents/ (not the events endpoint).",
    "Status polling: GET https://events.zenduty.com/api/alert/status/<trace_id>",
]


def comment(ext, text):
    if ext in (".py", ".sh", ".rb", ".yaml", ".yml", ".toml", ".tf"):
        return f"# {text}"
    if ext in (".js", ".ts", ".go", ".java", ".cs", ".php", ".css"):
        return f"// {text}" if ext != ".css" else f"/* {text} */"
    if ext in (".html", ".xml"):
        return f"<!-- {text} -->"
    return text


def json_doc(r, size, extra):
    """A valid JSON document of about `size` bytes; `extra` (key, value) pairs are inserted."""
    doc, got, i = {}, 0, 0
    while got < size:
        key = f"{ident(r)}_{i}"
        val = {"name": ident(r), "note": words(r, r.randrange(3, 12)), "n": r.randrange(1000)}
        doc[key] = val
        got += len(key) + len(json.dumps(val)) + 8
        i += 1
    items = list(doc.items())
    for k, v in extra:
        items.insert(r.randrange(len(items) + 1), (k, v))
    return json.dumps(dict(items), indent=2) + "\n"


def plant_file(pools, ext, r, size, lines):
    """Filler of `ext` with `lines` inserted at line boundaries (valid for yaml/tf/py/...)."""
    body = filler(pools, ext, r, size)
    if ext == ".tf":
        blocks = body.split("}\n")
        cut = r.randrange(len(blocks))
        block = "locals {\n" + "".join(f"  {ln}\n" for ln in lines) + "}\n"
        blocks.insert(cut, block.rstrip("}\n") + "\n")  # rejoined with "}\n" below
        return "}\n".join(blocks)
    parts = body.splitlines(keepends=True)
    for ln in lines:
        parts.insert(r.randrange(len(parts) + 1), ln + "\n")
    return "".join(parts)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def gen_scan(args):
    r = random.Random(args.seed)
    pools = build_pools(r, 256 * KIB)
    ext_names = [e for e, _ in EXTS]
    weights = [w for _, w in EXTS]
    size = size_sampler(r, args.mb * 1024 * 1024 / args.files)
    out = args.out
    ndirs = max(1, args.files // 60)

    paths = []
    for i in range(args.files):
        d = i % ndirs
        ext = r.choices(ext_names, weights)[0]
        paths.append((f"svc{d % 50:02d}/pkg{d // 50:03d}/{ident(r, 1)}_{i}{ext}", ext))

    # Choose which files get planted URLs and which get mentions, deterministically.
    picks = r.sample(range(args.files), args.files)
    planted, mentions = {}, {}
    n_urls = 0
    pi = 0
    plant_idx = 0
    while n_urls < args.urls:
        i = picks[pi]
        pi += 1
        ext = paths[i][1]
        fitting = [p for p in PLANTS if ext in p[0]]
        if ext == ".json":
            fitting = ["json"]
        if ext == ".tf":
            fitting = ["tf"]
        if not fitting:
            continue
        k = 1 + (plant_idx % 3 == 0)  # every third planted file holds two URLs
        k = min(k, args.urls - n_urls)
        lines = []
        for j in range(k):
            p = fitting[(plant_idx + j) % len(fitting)]
            if p == "json":
                lines.append(("json", j))
            elif p == "tf":
                lines.append('zd_url_%d = "https://events.zenduty.com/api/events/${var.zd_key}/"' % j)
            else:
                lines.append(p[1](r))
        if plant_idx % 2 == 0:  # half the planted files also mention the vendor in prose
            lines.append(("mention", r.choice(MENTIONS[:3])))
        planted[i] = lines
        n_urls += k
        plant_idx += 1
    while len(mentions) < args.mentions:
        i = picks[pi]
        pi += 1
        mentions[i] = r.choice(MENTIONS).replace("{key}", uuid(r))

    total = 0
    for i, (rel, ext) in enumerate(paths):
        want = size()
        if i in planted:
            lines = planted[i]
            if ext == ".json":
                extra = []
                for item in lines:
                    if isinstance(item, tuple) and item[0] == "json":
                        url = f"https://www.zenduty.com/api/events/{uuid(r)}/"
                        extra.append((f"zenduty_webhook_{item[1]}", url))
                    elif isinstance(item, tuple):
                        extra.append(("zenduty_note", item[1]))
                text = json_doc(r, want, extra)
                if len(extra) > 1 or r.random() < 0.5:
                    # JSON-escaped slashes, as some serializers write them.
                    text = text.replace("https://www.zenduty.com/api/events/", "https:\\/\\/www.zenduty.com\\/api\\/events\\/")
            else:
                flat = [comment(ext, x[1]) if isinstance(x, tuple) else x for x in lines]
                text = plant_file(pools, ext, r, want, flat)
        elif i in mentions and ext == ".json":
            text = json_doc(r, want, [("zenduty_note", mentions[i])])
        elif i in mentions:
            text = plant_file(pools, ext, r, want, [comment(ext, mentions[i])])
        else:
            text = filler(pools, ext, r, want)
        write(os.path.join(out, rel), text)
        total += len(text.encode())

    # Realism: hidden files and CI config that hold endpoints (both tools read hidden files).
    hidden = {
        ".env": f"ZENDUTY_WEBHOOK=https://events.zenduty.com/api/events/{uuid(r)}/\n",
        ".github/workflows/notify.yml": (
            "name: notify\non: [push]\njobs:\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: curl -X POST https://www.zenduty.com/api/events/${{ secrets.ZD_KEY }}/\n"
        ),
    }
    for rel, text in hidden.items():
        write(os.path.join(out, rel), text)
        total += len(text)
    n_urls += len(hidden)

    # The ignored directory: URLs here must not be found.
    ignored = 0
    gi = "/generated/\n*.log\n"
    write(os.path.join(out, ".gitignore"), gi)
    for j in range(args.ignored_files):
        rel = f"generated/dist/bundle_{j}.js"
        text = filler(pools, ".js", r, 16 * KIB)
        text += f"var u=\"https://events.zenduty.com/api/events/{uuid(r)}/\";\n"
        write(os.path.join(out, rel), text)
        ignored += 1
        total += len(text)
    text = filler(pools, ".txt", r, 32 * KIB) + f"POST https://www.zenduty.com/api/events/{uuid(r)}/ 201\n"
    write(os.path.join(out, "svc00/debug.log"), text)
    ignored += 1
    total += len(text)

    subprocess.run(["git", "init", "-q", out], check=True)
    return {
        "kind": "scan",
        "seed": args.seed,
        "files": args.files + len(hidden) + args.ignored_files + 2,
        "bytes": total,
        "planted_urls": n_urls,
        "planted_files": len(planted) + len(hidden),
        "mention_files": len(mentions),
        "ignored_urls": ignored,
    }


APPLY_PLANTS = {
    ".py": lambda r: f'ZENDUTY_URL = "https://events.zenduty.com/api/events/{uuid(r)}/"',
    ".sh": lambda r: f'curl -X POST "https://www.zenduty.com/api/events/{token(r)}/" -d @a.json',
    ".yaml": lambda r: f"zd_url_{r.getrandbits(40):x}: https://events.zenduty.com/api/events/{uuid(r)}/",
    ".md": lambda r: f"Alerts go to https://www.zenduty.com/api/events/{uuid(r)}/ today.",
    ".js": lambda r: f"const url = 'https://events.zenduty.com/api/events/{uuid(r)}/';",
}


def gen_apply(args):
    r = random.Random(args.seed + 1)
    pools = build_pools(r, 128 * KIB)
    exts = list(APPLY_PLANTS)
    total, edits = 0, 0
    per_file = args.edits // args.edit_files
    for i in range(args.edit_files):
        ext = exts[i % len(exts)]
        k = per_file + (1 if i < args.edits - per_file * args.edit_files else 0)
        lines = [APPLY_PLANTS[ext](r) for _ in range(k)]
        text = plant_file(pools, ext, r, r.randrange(2 * KIB, 14 * KIB), lines)
        write(os.path.join(args.out, f"d{i % 40:02d}/f{i}{ext}"), text)
        total += len(text)
        edits += k
    out = args.out
    subprocess.run(["git", "init", "-q", out], check=True)
    git = ["git", "-C", out, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "bench tree"], check=True)
    return {"kind": "apply", "seed": args.seed, "files": args.edit_files, "bytes": total, "edits": edits}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["scan", "apply"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--files", type=int, default=30000)
    ap.add_argument("--mb", type=float, default=600, help="target total size in MiB")
    ap.add_argument("--urls", type=int, default=46, help="legacy URLs planted in scanned files")
    ap.add_argument("--mentions", type=int, default=40, help="files mentioning Zenduty without a legacy URL")
    ap.add_argument("--ignored-files", type=int, default=20)
    ap.add_argument("--edits", type=int, default=10000)
    ap.add_argument("--edit-files", type=int, default=2000)
    args = ap.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    manifest = gen_scan(args) if args.kind == "scan" else gen_apply(args)
    with open(args.manifest, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    json.dump(manifest, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
