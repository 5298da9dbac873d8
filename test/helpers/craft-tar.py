"""Crafts tar archives for the hostile-archive tests with Python's tarfile (no normalisation, no safety).

Reads one JSON spec, or a list of them (one process for a whole corpus), on stdin:
  {"out": path, "gzip": bool, "format": "pax"|"gnu"|"ustar", "global": {pax global header} | null,
   "copy": path | null,            # copy every member of this archive first (minus "drop"), in order
   "drop": [names], "replace": {name: entry}, "append": [entries], "prepend": [entries]}
An entry: {"name", "type": file|dir|symlink|link|fifo|chr, "data": base64, "linkname", "mode", "pax": {...}}.
"""
import base64, io, json, sys, tarfile

TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "link": tarfile.LNKTYPE,
         "fifo": tarfile.FIFOTYPE, "chr": tarfile.CHRTYPE}
FORMATS = {"pax": tarfile.PAX_FORMAT, "gnu": tarfile.GNU_FORMAT, "ustar": tarfile.USTAR_FORMAT}


def add(out, e):
    info = tarfile.TarInfo(e["name"])
    info.type = TYPES[e.get("type", "file")]
    info.mode = e.get("mode", 0o755 if info.type == tarfile.DIRTYPE else 0o644)
    info.mtime = e.get("mtime", 1700000000)
    info.linkname = e.get("linkname", "")
    if e.get("pax"):
        info.pax_headers = e["pax"]
    data = base64.b64decode(e.get("data", "")) if info.type == tarfile.REGTYPE else b""
    info.size = len(data)
    out.addfile(info, io.BytesIO(data) if data else None)


def craft(spec):
    kwargs = {"format": FORMATS[spec.get("format", "pax")]}
    if spec.get("global"):
        kwargs["pax_headers"] = spec["global"]
    with tarfile.open(spec["out"], "w:gz" if spec.get("gzip", True) else "w", **kwargs) as out:
        for e in spec.get("prepend", []):
            add(out, e)
        if spec.get("copy"):
            with tarfile.open(spec["copy"], "r:*") as src:
                for member in src.getmembers():
                    if member.name in spec.get("drop", []):
                        continue
                    if member.name in spec.get("replace", {}):
                        add(out, spec["replace"][member.name])
                        continue
                    out.addfile(member, src.extractfile(member) if member.isfile() else None)
        for e in spec.get("append", []):
            add(out, e)


specs = json.load(sys.stdin)
for spec in specs if isinstance(specs, list) else [specs]:
    craft(spec)
