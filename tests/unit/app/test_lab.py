"""The stylesheet `make lab` gives the JupyterLab page: the embedded Thai face, JupyterLab's
fonts falling back to it, the report CSS inside HTML outputs only; and the wiring that has
JupyterLab serve it (the Makefile, the server extension)."""

from __future__ import annotations

import base64
import logging
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers.app import lab
from helpers.reports import fonts, htmlexport

REPO = Path(__file__).resolve().parents[3]
LAB_THEMES = Path(pytest.importorskip("jupyterlab").__file__).parent / "themes" / "@jupyterlab"


def _without_font_faces(css: str) -> str:
    return re.sub(r"@font-face\s*\{[^}]*\}", "", css)


def _rules(css: str) -> list[tuple[str, str]]:
    """(selector list, declarations) of every style rule, those inside @media included but
    print's (a parser of its own, not the module's)."""
    css = re.sub(r"/\*.*?\*/", "", _without_font_faces(css), flags=re.DOTALL)
    nested = r"\{((?:[^{}]*\{[^{}]*\})*)[^{}]*\}"
    css = re.sub(r"@media[^{]*\bprint\b[^{]*" + nested, "", css)  # rules for paper only
    css = re.sub(r"@media[^{]*" + nested, r"\1", css)
    return [(s.strip(), b.strip()) for s, b in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def _selectors(css: str) -> list[str]:
    return [
        s.strip()
        for selector_list, _ in _rules(css)
        for s in re.split(r",(?![^(]*\))", selector_list)
    ]


@pytest.fixture(scope="module")
def css() -> str:
    return lab.lab_css()


def test_the_stylesheet_embeds_both_weights_of_the_thai_face(css):
    faces = re.findall(r"@font-face\s*\{([^}]*)\}", css)
    found = {}
    for face in faces:
        family = re.search(r'font-family:\s*"([^"]+)"', face).group(1)
        weight = re.search(r"font-weight:\s*(\d+)", face).group(1)
        data = re.search(r'src:\s*url\("data:font/ttf;base64,([A-Za-z0-9+/=]+)"\)', face).group(1)
        found[(family, weight)] = base64.b64decode(data)
    assert found == {
        ("Workbook Thai", "400"): fonts.FONT_FILES["normal"].read_bytes(),
        ("Workbook Thai", "700"): fonts.FONT_FILES["bold"].read_bytes(),
    }


def test_jupyterlab_fonts_fall_back_to_the_thai_face(css):
    block = dict(_rules(css))[":root:root"]
    declared = dict(
        (name.strip(), value.strip())
        for name, _, value in (d.partition(":") for d in block.split(";") if d.strip())
    )
    thai = '"Workbook Thai"'
    assert declared == {
        "--jp-ui-font-family": f"{lab.JUPYTERLAB_FONT_STACK}, {thai}",
        "--jp-content-font-family": f"{lab.JUPYTERLAB_FONT_STACK}, {thai}",
        "--jp-code-font-family": f"var(--jp-code-font-family-default), {thai}",
    }


@pytest.mark.parametrize("theme", ["light", "dark", "dark-high-contrast"])
def test_the_copied_font_stack_is_the_installed_jupyterlabs(theme):
    """Upgrading JupyterLab to fonts of its own fails here: copy its stack anew."""
    text = (LAB_THEMES / f"theme-{theme}-extension" / "index.css").read_text(encoding="utf-8")
    declared = dict(re.findall(r"(--jp-(?:ui|content|code)-font-family):\s*([^;}]+)", text))
    assert declared == {
        "--jp-ui-font-family": lab.JUPYTERLAB_FONT_STACK,
        "--jp-content-font-family": lab.JUPYTERLAB_FONT_STACK,
        "--jp-code-font-family": "var(--jp-code-font-family-default)",
    }


def test_report_rules_apply_inside_html_outputs_only(css):
    selectors = _selectors(css)
    assert selectors.count(":root:root") == 1
    outside = [s for s in selectors if s != ":root:root" and not s.startswith(f"{lab.SCOPE}")]
    assert outside == []
    # the scope outweighs JupyterLab's output rules ((0,2,1) at most) by itself
    assert lab.SCOPE.startswith(".jp-OutputArea-output.jp-RenderedHTML:not(:has(")
    for page_only in ("@page", "@media print", "@import"):
        assert page_only not in css
    # no rule for the page as a whole: html, body, :root and * only as the scope's descendants
    bare = re.compile(r"(^|[\s,>+~])(html|body|:root)(?=$|[\s,.:#\[>+~{])")
    assert [s for s in selectors if s != ":root:root" and bare.search(s)] == []


def test_every_report_rule_is_carried_into_the_outputs(css):
    """The report CSS is read when the stylesheet is written, never copied: each of its
    selectors (but the page's own) shows up under the scope."""
    scoped = set(_selectors(css))
    report = [
        s
        for s in _selectors(htmlexport.CSS)
        if s.split()[0] not in {"html", "body", ":root"} and not s.startswith("@")
    ]
    assert report, "no rule found in helpers.reports.htmlexport.CSS"
    assert [s for s in report if f"{lab.SCOPE} {s}" not in scoped] == []
    # the report header's label/value pairs (the facts) keep their layout
    assert any(s.startswith(f"{lab.SCOPE} .facts") for s in scoped)


def test_jupyterlabs_own_output_styles_are_reset_before_the_report_rules_but_not_svg(css):
    reset = f"{lab.SCOPE} :where(:not(svg, svg *)) {{ all: revert; }}"
    assert reset in css
    assert css.index(reset) < css.index(f"{lab.SCOPE} *")


def test_scope_css_drops_the_page_box_and_print_and_scopes_the_rest():
    css = """
    /* a comment { } */
    :root { --ink: #111; }
    html { font-family: "Workbook Thai"; font-size: 16px; color: var(--ink); }
    body { margin: 0 auto; max-width: 62rem; padding: 1rem; background: #fff;
      overflow-wrap: break-word; }
    body .x, h1 { color: red; }
    :is(a, b) > .c { margin: 0; }
    @media (max-width: 48rem) { body { padding: 0; } .two-col { display: block; } }
    @page { size: A4; }
    @media print { h1 { font-size: 9pt; } }
    """
    assert lab.scope_css(css, "S").splitlines() == [
        "S { --ink: #111 }",
        'S { font-family: "Workbook Thai"; color: var(--ink) }',
        "S { background: #fff; overflow-wrap: break-word }",
        "S .x, S h1 { color: red }",
        "S :is(a, b) > .c { margin: 0 }",
        "@media (max-width: 48rem) {",
        "S .two-col { display: block }",
        "}",
    ]


@pytest.mark.parametrize("broken", ["a { color: red; ", "a { color: red; } }", "@import 'x.css';"])
def test_scope_css_refuses_what_it_cannot_read(broken):
    with pytest.raises(ValueError):
        lab.scope_css(broken, "S")


def test_write_custom_css_writes_the_stylesheet(tmp_path, monkeypatch, css):
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter"))
    written = lab.write_custom_css(tmp_path / "custom")
    assert written == tmp_path / "custom" / "custom.css"
    assert written.read_text(encoding="utf-8") == css
    assert [p.name for p in written.parent.iterdir()] == ["custom.css"]  # no temporary left


def test_write_custom_css_keeps_the_users_own_custom_css_after_it(tmp_path, monkeypatch, css):
    own = tmp_path / "jupyter" / "custom" / "custom.css"
    own.parent.mkdir(parents=True)
    own.write_text("#jp-top-panel { background: pink; }\n", encoding="utf-8")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter"))
    text = lab.write_custom_css(tmp_path / "custom").read_text(encoding="utf-8")
    assert text.startswith(css)
    assert text.endswith("#jp-top-panel { background: pink; }\n")
    # written into the user's folder itself, it does not repeat itself
    again = lab.write_custom_css(own.parent).read_text(encoding="utf-8")
    assert again == css


def test_the_default_folder_is_in_the_projects_build(project):
    assert lab.custom_dir() == project / "build" / "lab" / "custom"
    assert lab.main([]) == 0
    assert (project / "build" / "lab" / "custom" / "custom.css").is_file()


def test_the_server_extension_serves_the_folder_before_the_users(project, caplog):
    assert lab._jupyter_server_extension_points() == [{"module": lab.__name__}]
    server = SimpleNamespace(
        static_custom_path=["/home/me/.jupyter/custom", "/site/jupyter_server/static/custom"],
        log=logging.getLogger("test_lab"),
    )
    with caplog.at_level(logging.WARNING, logger="test_lab"):
        lab._link_jupyter_server_extension(server)
    assert server.static_custom_path == [
        str(project / "build" / "lab" / "custom"),
        "/home/me/.jupyter/custom",
        "/site/jupyter_server/static/custom",
    ]
    assert "custom.css is missing" in caplog.text  # `make lab` had not written it


def test_make_lab_writes_the_stylesheet_and_starts_jupyterlab_serving_it():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    commands = subprocess.run(
        [make, "-n", "-C", str(REPO), "lab"], capture_output=True, text=True, check=True
    ).stdout.replace("\\\n", " ")
    lines = [" ".join(line.split()) for line in commands.splitlines()]
    write = lines.index(".venv/bin/python -m helpers.app.lab")  # the default folder, served
    start = next(i for i, line in enumerate(lines) if line.startswith(".venv/bin/jupyter lab "))
    assert write < start
    options = lines[start].split()
    assert "--LabApp.custom_css=True" in options
    assert f"--ServerApp.jpserver_extensions={lab.__name__}=True" in options


@pytest.mark.slow
def test_jupyterlab_routes_custom_css_to_the_projects_folder(project, tmp_path, monkeypatch):
    """The server as `make lab` configures it, initialised (not started): JupyterLab's
    custom/ handler looks in build/lab/custom first (about 3 s)."""
    from jupyter_server.serverapp import ServerApp
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    for name in ("CONFIG", "DATA", "RUNTIME"):
        monkeypatch.setenv(f"JUPYTER_{name}_DIR", str(tmp_path / name.lower()))
    monkeypatch.setattr(ServerApp, "init_signal", lambda self: None)  # pytest's stay
    lab.main([])
    app = ServerApp()
    app.initialize(
        argv=[
            "--ServerApp.jpserver_extensions=jupyterlab=True",
            f"--ServerApp.jpserver_extensions={lab.__name__}=True",
            "--LabApp.custom_css=True",
            f"--ServerApp.root_dir={project / 'notebooks'}",
        ],
        find_extensions=False,
        new_httpserver=False,
    )
    request = HTTPServerRequest(
        start_line=RequestStartLine("GET", "/custom/custom.css", "HTTP/1.1"),
        headers=HTTPHeaders({"Host": "localhost"}),
    )
    handler = app.web_app.find_handler(request)
    assert handler.handler_kwargs["path"][0] == str(project / "build" / "lab" / "custom")
    assert handler.path_args == [b"custom.css"]
