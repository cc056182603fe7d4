"""The README is the door and docs/ the rooms behind it: the README stays short, and every
link between them leads to a file that exists and, with a #fragment, to a heading in it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation but hyphens dropped, spaces as
    hyphens (outside code blocks, whose '#' lines are comments)."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower().replace("`", ""))
        found.add(slug.replace(" ", "-"))
    return found


def local_links(page: Path) -> list[str]:
    return [link for link in LINK.findall(page.read_text(encoding="utf-8"))
            if not re.match(r"[a-z]+:", link)]


def test_the_readme_is_under_250_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) < 250


def test_every_page_of_docs_is_linked_from_the_readme():
    linked = {link.split("#")[0] for link in local_links(ROOT / "README.md")}
    assert {f"docs/{page.name}" for page in PAGES[1:]} <= linked


def test_every_local_link_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        for link in local_links(page):
            path, _, fragment = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                broken.append(f"{page.name}: {link} (no such file)")
            elif fragment and target.suffix == ".md" and fragment not in anchors(target):
                broken.append(f"{page.name}: {link} (no such heading)")
    assert broken == []


def test_anchors_leave_out_the_comment_lines_of_code_blocks(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("# Title\n\n```sh\n# not a heading\n```\n", encoding="utf-8")
    assert anchors(page) == {"title"}
