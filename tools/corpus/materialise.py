#!/usr/bin/env python3
"""Materialise ../shared/corpus/*/meta.json into OUT/<id>/ (a folder outside this repository: the
programs are others' code and are never committed).

Usage: python tools/corpus/materialise.py OUT   (default OUT: /work/corpus)
Sources come from the `fetch` tool's mirrors in $TFTRAIN_COMPAT_MIRROR (default /work/.mirror),
one per repository named in the meta.json files (`fetch github:<owner>/<name>` each first).
Sources whose repository is too big to fetch use a substitute blob with the same text from a
fetched fork, listed in SUBST. Edits are applied as ../shared/corpus/README.md says; an edit whose
`old` is "<EOF>" appends `new` at the end. An entry whose sources are missing is left out whole
(models_mnist_convolutional_selftest: tensorflow/models is over the fetch size limit)."""
import glob, json, os, shutil, subprocess, sys
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus")
OUT = sys.argv[1] if len(sys.argv) > 1 else "/work/corpus"
MIRROR = os.environ.get("TFTRAIN_COMPAT_MIRROR", "/work/.mirror")
# (repo, commit, path) -> (mirror repo, blob)   [text checked equal by length/content]
SUBST = {
    ("tensorflow/tensorflow", "3989ee55b1a99cbdc20fd08da2a4c8a6bc80f98a", "tensorflow/examples/tutorials/mnist/mnist_deep.py"):
        ("best08618/tensorflow", "a4dbab5123d4"),  # meta: text equal to this blob
    ("tensorflow/tensorflow", "08102e668c6a4357d6122b0578f03ced0ebcbaf8", "tensorflow/examples/tutorials/mnist/mnist.py"):
        ("best08618/tensorflow", "7cedd0e264f35ac4ab924c93032b019e2aae78cf"),  # 5187 chars = read_file total_chars
}

def gitdir(repo):
    base = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    return os.path.join(base, ".git") if os.path.isdir(os.path.join(base, ".git")) else base

def get(repo, commit, path):
    key = (repo, commit, path)
    if key in SUBST:
        r, blob = SUBST[key]
        spec = blob
    else:
        r, spec = repo, "%s:%s" % (commit, path)
    g = gitdir(r)
    if not os.path.isdir(g):
        raise FileNotFoundError("no mirror for %s (fetch github:%s)" % (r, r))
    return subprocess.run(["git", "--git-dir", g, "show", spec], check=True, capture_output=True).stdout.decode("utf-8")

def apply(text, edits, scopes, what):
    for e in edits:
        if e.get("scope", "both") in scopes:
            if e["old"] == "<EOF>":  # README convention here: append at the end of the file
                text = text + e["new"]
                continue
            n = text.count(e["old"])
            if n != 1:
                raise ValueError("%s: edit %r occurs %d times" % (what, e["old"][:60], n))
            text = text.replace(e["old"], e["new"])
    return text

def write(fp, text):
    os.makedirs(os.path.dirname(fp), exist_ok=True)
    with open(fp, "w", encoding="utf-8") as f:
        f.write(text)

def main():
    ok, bad = [], []
    for mp in sorted(glob.glob(os.path.join(SHARED, "*", "meta.json"))):
        m = json.load(open(mp, encoding="utf-8"))
        d = os.path.join(OUT, m["id"])
        try:
            files = {}
            src = get(m["repo"], m["commit"], m["path"])
            edits = m.get("edits", [])
            files[m["script"]] = apply(src, edits, ("both",), m["id"])
            if any(e.get("scope") == "oracle-only" for e in edits):
                files[m.get("oracle_script", "oracle/" + m["script"])] = apply(src, edits, ("both", "oracle-only"), m["id"])
            for h in m.get("helpers", []):
                t = apply(get(h["repo"], h["commit"], h["path"]), h.get("edits", []), ("both",), h["file"])
                files[h["file"]] = t
                if m.get("oracle_script"):  # the oracle reads helpers beside oracle/<script>
                    files[os.path.join(os.path.dirname(m["oracle_script"]), h["file"])] = apply(
                        get(h["repo"], h["commit"], h["path"]), h.get("edits", []), ("both", "oracle-only"), h["file"])
            for rel, src_rel in m.get("setup", {}).get("copy", {}).items():
                files[src_rel] = None
        except Exception as e:  # leave no half entry: run_corpus would crash on a meta without script
            bad.append("%s: %s" % (m["id"], e))
            shutil.rmtree(d, ignore_errors=True)
            continue
        shutil.rmtree(d, ignore_errors=True)
        for rel, t in files.items():
            if t is not None:
                write(os.path.join(d, rel), t)
        shutil.copy(mp, os.path.join(d, "meta.json"))
        ok.append(m["id"])
    print("materialised %d: %s" % (len(ok), " ".join(ok)))
    for b in bad:
        print("MISSING", b, file=sys.stderr)

if __name__ == "__main__":
    main()
