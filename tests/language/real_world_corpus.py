"""Public BAML projects checked with `baml-cli check` 0.226.3 and `vdsl check` side by side.

Each row: the GitHub repository, the commit read, the `baml_src` folder, how many `.baml`
files it holds, baml-cli's verdict ("accepted": no errors; "refused": at least one error), and,
for a project where vdsl's verdict differs, why the difference is deliberate. vdsl's verdict
counts errors other than `unsupported-provider` (vdsl targets Vertex AI only, so a client on
another provider is expected to be refused; what is compared is syntax, names, types and
everything else). The files themselves are not copied here; the regressions they revealed are
reproduced by the snippets in test_real_world.py.

To compare again (needs baml-py's `baml-cli` and local copies of the projects, one folder per
row named `<owner>+<repo>__<path with / as _>`):

    python tests/language/real_world_corpus.py DIR [--baml-cli PATH]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BAML_VERSION = "0.226.3"
EXPECTED_ONLY = frozenset({"unsupported-provider"})

CORPUS: list[tuple[str, str, str, int, str, str]] = [
    ("211-Connect/image-to-hsds", "e2c075e5a156", "baml_src", 4, "accepted", ""),
    ("89jobrien/taskit", "a7abf51c3905", "baml_src", 3, "accepted", ""),
    ("AYUSHA0215/calendar-chatbot", "630e3dd8e945", "baml_src", 8, "refused", ""),
    ("Abdelmaoula20/Swisslife_test", "50e1fcf7286f", "baml_src", 3, "accepted", ""),
    ("AbhimanyuAryan/LessonPlan", "4221692ba4ff", "baml_src", 3, "accepted", ""),
    ("AlejandroJorge/pucp-class-finder", "04df78283b39", "baml_src", 4, "accepted", ""),
    ("AlexandreBrillon/LunchBox", "15d43a612d23", "baml_src", 4, "accepted", ""),
    ("Alturino/cv-evaluator", "e9b45cf2f89b", "baml_src", 6, "accepted", ""),
    ("Amanastel/SlideCraft-AI", "18d9ac1156f6", "baml_src", 5, "accepted", ""),
    ("AravindMohan10/MultiAgentSimulation", "5d3d755c7623", "baml_src", 3, "accepted", ""),
    ("Ayush4513/Chronofact.ai", "430d5390f493", "baml_src", 4, "accepted", ""),
    ("BearHugSolutions/ai-short-form-clip-identifier", "fbf698272ef7", "baml_src", 4, "accepted", ""),
    ("Ben-Epstein/extract-anything", "64a11f6d2697", "baml_src", 6, "accepted", ""),
    ("Ben-Epstein/voice-bot-gemini-baml", "827b5aed59ed", "baml_src", 4, "accepted", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "aie/baml_src", 19, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "baml-c-compiler/baml_src", 9, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "baml-deep-research-demo/baml_src", 6, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "baml-email-agent-demo/baml_src", 5, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "baml-text-to-sql-demo/baml_src", 4, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "bamlcode/baml_src", 13, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "google-adk/baml_src", 5, "refused", ""),
    ("BoundaryML/baml-demos", "12fb1dfdcf6d", "python-discord-bot/baml_src", 1, "refused", ""),
    ("BoundaryML/baml-examples-proxy", "e9e9507e86de", "baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "blog-analyzer/baml_src", 4, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "docs-fixup/docs/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "extract-anything/baml_src", 4, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "form-filler/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "fridaybot/baml_src", 5, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "gimp-use/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "golang-openapi-starter/baml_src", 23, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "java-gradle-openapi-starter/baml_src", 23, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "json-schema-to-baml/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "nextjs-pdf-example/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "nextjs-starter/baml_src", 14, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "node-aws-lambda-sst/sstv2/packages/functions/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "node-aws-lambda-sst/sstv3/packages/functions/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "nodejs-mcp-server/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "nodejs-typescript-basic/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "nuxt-starter/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "php-openapi-starter/baml_src", 23, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "python-chatbot/server/baml_src", 4, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "python-fastapi-starter/baml_src", 7, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "python-mcp-server/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "python-modular-api/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "ruby-openapi-starter/baml_src", 23, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "ruby-starter/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "rust-openapi-starter/baml_src", 23, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "survey-answerer/baml_src", 4, "accepted", ""),
    ("BoundaryML/baml-examples", "9dcaca7bc7d8", "svelte-starter/baml_src", 3, "accepted", ""),
    ("BoundaryML/baml-pydantic-comparison", "e3c936f5674f", "baml_src", 7, "refused", ""),
    ("BoundaryML/example-massive-categorizer", "69923faf1658", "baml_src", 3, "accepted", ""),
    ("BoundaryML/examples-analyze-form", "4b7fb429a5a5", "baml_src", 4, "accepted", ""),
    ("BoundaryML/nest-starter", "40c79299a3e1", "baml_src", 3, "accepted", ""),
    ("BoundaryML/tesla-trip-planner-example", "be28d8824650", "baml_src", 4, "accepted", ""),
    ("BrenanL/brief", "76811b281a8d", "src/baml_src", 2, "accepted", ""),
    ("Camilleli/ElasticQuestions-support", "eef6860c0558", "baml_src", 3, "refused", ""),
    ("Cloudbird-Software/AI_Web_School", "aee306832c29", "baml_src", 2, "accepted", ""),
    ("CommiAI/agentic-email-client", "01b81ee45233", "baml_src", 3, "accepted", ""),
    ("Consiliency/consiliency-panel", "cecc3cdbf222", "baml_src", 11, "accepted", ""),
    ("DeweyMarco/code-names-benchmark", "1af099a3aca9", "baml_src", 3, "accepted", ""),
    ("DoGstrer/char-graph", "ed86a912fd09", "baml_src", 3, "accepted", ""),
    ("Elijas/baml-parser", "1dd8274579a1", "baml_src", 4, "accepted", ""),
    ("Frontierstrategies-ai/coach-app-contracts", "5d8b23d8c608", "baml_src", 9, "accepted", ""),
    ("Frosselet/pdf-ocr", "4ef40c1fe373", "baml_src", 7, "accepted", ""),
    ("G9000/anima-operating-system", "07b603378fef", "baml_src", 4, "accepted", ""),
    ("GintasS/Hacker-Dojo-BAML", "85447e2c472f", "baml_src", 4, "refused", ""),
    ("Gitzman/chain-of-table-BAML", "65d271631c25", "baml_src", 8, "refused", ""),
    ("Guihal/subbrain", "5b6b4a88def5", "baml_src", 4, "accepted", ""),
    ("HL-2002/myClients", "a4d1563f145f", "baml_src", 3, "accepted", ""),
    ("Hadjer711/Classification-and-Form-Completion-APIs", "ac2422c030c1", "baml_src", 5, "accepted", ""),
    ("HoqueUM/apiify", "98e928e6f4d9", "baml_src", 5, "accepted", ""),
    ("IMackerI/overfit_hack_kosice", "99aff1e20b91", "baml_src", 3, "accepted", ""),
    ("JailsonPanizzon/socrates-ai", "ddcc49b91b04", "baml_src", 3, "accepted", ""),
    ("JeseKi/Health-Agent", "baf750acdf80", "baml_src", 3, "accepted", ""),
    ("JofArnold/streaming-llm-vite-baml-express", "41eb4404bd04", "baml_src", 3, "accepted", ""),
    ("K-Mistele/baml-entity-enrichment", "1d8fd2aea7e2", "baml_src", 4, "accepted", ""),
    ("K-Mistele/opensearch", "2f07754daf6c", "baml_src", 10, "accepted", ""),
    ("Kilowon/solid-baml", "4d41f3511cd7", "baml_src", 3, "accepted", ""),
    ("Lamborghini17/ai-connect4", "fa12fc77b203", "baml_src", 4, "accepted", ""),
    ("Leopc1977/LLM-Uno-Arena", "90699afb79b0", "baml_src", 3, "accepted", ""),
    ("Lewis-Kett/ai-todo", "1651a2d3d3c5", "baml_src", 4, "accepted", ""),
    ("Luke-Pitstick/llm-citation-machine", "36a500fad353", "app/src/baml_src", 3, "accepted", ""),
    ("LukeCorc99/Sentimentor", "059c57517cff", "backend/productcomparator/baml_src", 3, "accepted", ""),
    ("LukeCorc99/Sentimentor", "059c57517cff", "backend/reviewcollector/baml_src", 3, "accepted",
     "deliberate: a quoted test argument left open at the end of a line; BAML reads the next lines as other values"),
    ("LukeCorc99/Sentimentor", "059c57517cff", "backend/sentimentanalyzer/baml_src", 3, "accepted", ""),
    ("MAkcanca/df3-research", "de69b983eb57", "baml_src", 3, "accepted", ""),
    ("Mati607/Finance_Agent", "cf8e833b96f4", "baml_src", 4, "accepted", ""),
    ("MonarchFND/angstromscd-baml", "5f20b54a4b63", "baml_src", 3, "accepted", ""),
    ("Namang1/DSPy-RAG-Intelligence", "1d9f12f73121", "baml_src", 4, "accepted", ""),
    ("NikolasP98/drone", "0cdf5e6c127c", "baml_src", 3, "accepted", ""),
    ("RhizApp/event-architect", "e872b7baef26", "baml_src", 6, "accepted", ""),
    ("Rohit-03/BAML", "25e9899b97a4", "baml_src", 6, "refused", ""),
    ("SamGalanakis/clepsy", "38ebe5944ae8", "baml_src", 16, "accepted", ""),
    ("Sanjan611/bitranger", "d2a247f66029", "baml_src", 5, "accepted", ""),
    ("Saren-Arterius/baml-jellyfin-structure", "48542a1a2ea6", "baml_src", 3, "accepted", ""),
    ("Sarthak5290/sports_baml", "38d65336a1c2", "baml_src", 4, "accepted", ""),
    ("Selcukatli/mocksy-app", "a874a86b8469", "baml_src", 5, "accepted", ""),
    ("SilvioBaratto/briscola-1-vs-1", "35a7c4a34dd0", "baml_src", 5, "accepted",
     "deliberate: `env.X ?? 'default'`, which BAML reads as one literal text"),
    ("SilvioBaratto/flashcard", "0e57972f7fce", "baml_src", 4, "accepted", ""),
    ("StarDylan/SemanticGraphLLM", "79b5128f1650", "baml_src", 3, "accepted", ""),
    ("TanGentleman/screenpipe-python-client", "997496a5b253", "src/baml_src", 3, "accepted", ""),
    ("ThangQT2606/OCR-BAML", "b2f41fa7967e", "baml_src", 5, "accepted",
     "deliberate: a vertex-ai client on the retired gemini-1.5-pro"),
    ("Tushar1344/yt-artist", "e64385bd4dcc", "baml_src", 3, "accepted", ""),
    ("WendaoLee/Agent_Test", "cb151db26add", "baml_src", 8, "accepted", ""),
    ("a-rebmann/llms4pm", "c37c811ef788", "baml_src", 4, "accepted", ""),
    ("anerli/langur", "d399ac0f9222", "langur/baml_src", 6, "accepted", ""),
    ("bobbyhouse/baa", "3e61dbf60667", "baml_src", 3, "accepted", ""),
    ("brandburner/fabula", "6bc794bccba5", "baml_src", 6, "refused", ""),
    ("dexhorthy/notorious-r-a-g", "42e71a0eae19", "baml_src", 5, "refused", ""),
    ("dexhorthy/reasoner-svg", "caed18aad018", "baml_src", 3, "accepted", ""),
    ("ecdedios/intelligent-document-processing-baml", "69dae23a9430", "baml_src", 3, "accepted", ""),
    ("epic-hq/Insights", "d02a85e8c730", "baml_src", 47, "accepted", ""),
    ("funmu/workshops-2024-12", "8fe53b745b0d", "baml_src", 4, "accepted", ""),
    ("graysky-ai/Lexibrary", "f06ef653c648", "baml_src", 14, "accepted", ""),
    ("halfprice06/llm_to_midi", "3afa52a50de2", "baml_src", 3, "accepted", ""),
]
"""(repository, commit, baml_src path, .baml files, baml-cli verdict, why vdsl differs)."""


def folder_name(repo: str, path: str) -> str:
    return repo.replace("/", "+") + "__" + path.replace("/", "_")


def vdsl_verdict(folder: Path) -> str:
    import vdsl
    errors = [d for d in vdsl.check(str(folder), use_cache=False)
              if d.is_error and d.code not in EXPECTED_ONLY]
    return "refused" if errors else "accepted"


def baml_verdict(folder: Path, baml_cli: str) -> str:
    """baml-cli's verdict for a copy of `folder` (a generator block is added when missing)."""
    scratch = Path(tempfile.mkdtemp())
    try:
        src = scratch / "baml_src"
        shutil.copytree(folder, src)
        texts = [p.read_text("utf-8", "replace") for p in src.rglob("*.baml")]
        if not any(re.search(r"^\s*generator\s", t, re.MULTILINE) for t in texts):
            (src / "zz_generator.baml").write_text(
                f'generator target {{\n  output_type "python/pydantic"\n  output_dir "../"\n'
                f'  version "{BAML_VERSION}"\n}}\n', "utf-8")
        done = subprocess.run([baml_cli, "check", "--from", "baml_src", "--no-version-check"],
                              cwd=scratch, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "RUST_BACKTRACE": "0"}, check=False)
        out = done.stdout + done.stderr
        return "refused" if re.search(r"^error: ", out, re.MULTILINE) else "accepted"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    baml_cli = argv[argv.index("--baml-cli") + 1] if "--baml-cli" in argv else None
    agree = total = 0
    for repo, _commit, path, _files, recorded, why in CORPUS:
        folder = root / folder_name(repo, path)
        if not folder.is_dir():
            continue
        total += 1
        baml = baml_verdict(folder, baml_cli) if baml_cli else recorded
        ours = vdsl_verdict(folder)
        agree += ours == baml
        if ours != baml:
            print(f"{repo} {path}: baml-cli {baml}, vdsl {ours}" + (f" ({why})" if why else ""))
    print(f"{agree} of {total} projects get the same verdict")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
