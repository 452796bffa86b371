"""Turns a callgrind profile of fulcrumd into the symbol ordering file of its release link.

usage: code-layout.py CALLGRIND_OUT LINK_MAP BINARY [PREVIOUS_LIST] > Sources/fulcrumd/code-layout.order

Every function the profile saw run is looked up in the link map (lld -Map, --no-demangle), and
the input section holding it is listed once, by the first of its symbols in name order: lld
moves whole input sections, so one symbol each is enough, and name order keeps a regenerated
file's diff readable. Callgrind demangles C++ names; the binary's symbol table maps them back.
Prints to stderr how many functions ran, how many sections and bytes the list covers, and how
much of the previous list the link still found: what went stale since it was written.
"""

import re
import subprocess
import sys

MAP_LINE = re.compile(r"^\s*[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+(\s+)(.*)$")


def functions_run(callgrind_out):
    """Names of every function callgrind recorded, as it printed them (recursion marks dropped).

    Callgrind names a function in full once, as `fn=(id) name`, and by `fn=(id)` after that.
    """
    names = set()
    for line in open(callgrind_out, errors="replace"):
        if line.startswith(("fn=", "cfn=")):
            name = re.sub(r"^\(\d+\) ?", "", line.split("=", 1)[1].rstrip("\n"))
            if name:
                names.add(re.sub(r"'\d+$", "", name))
    return names


def mangled_names(binary):
    """Demangled name → the binary's symbols that demangle to it (and each symbol to itself)."""
    symbols = subprocess.run(["nm", "--defined-only", "--format=just-symbols", binary],
                             capture_output=True, text=True, check=True).stdout.split()
    demangled = subprocess.run(["c++filt"], input="\n".join(symbols), capture_output=True,
                               text=True, check=True).stdout.split("\n")
    names = {}
    for symbol, plain in zip(symbols, demangled):
        names.setdefault(symbol, set()).add(symbol)
        names.setdefault(plain, set()).add(symbol)
    return names


def text_sections(link_map):
    """Each symbol of a code input section → (that section, its size in bytes)."""
    section_of, current = {}, None
    for line in open(link_map, errors="replace"):
        match = MAP_LINE.match(line)
        if not match:
            continue
        size, indent, rest = int(match.group(1), 16), len(match.group(2)), match.group(3)
        if indent <= 2:  # an output section
            current = None
        elif indent <= 10:  # an input section: file:(name)
            current = (rest, size) if ":(.text" in rest else None
        elif current is not None:  # a symbol inside it
            section_of.setdefault(rest, current)
    return section_of


def main():
    callgrind_out, link_map, binary = sys.argv[1:4]
    previous = sys.argv[4] if len(sys.argv) > 4 else None
    names = mangled_names(binary)
    section_of = text_sections(link_map)
    ran = functions_run(callgrind_out)
    symbols = sorted({symbol for name in ran for symbol in names.get(name, ())} & section_of.keys())
    listed, seen = [], set()
    for symbol in symbols:
        section = section_of[symbol]
        if section not in seen:
            seen.add(section)
            listed.append(symbol)
    print("\n".join(listed))
    covered = sum(size for _, size in seen)
    print(f"{len(ran)} functions ran; {len(listed)} code sections listed, {covered / 2**20:.1f} MB",
          file=sys.stderr)
    if previous:
        named = [line.strip() for line in open(previous) if line.strip()]
        found = sum(symbol in section_of for symbol in named)
        print(f"the previous list named {len(named)} sections; the link found {found} of them", file=sys.stderr)


if __name__ == "__main__":
    main()
