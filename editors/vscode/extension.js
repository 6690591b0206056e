// The vdsl extension: starts `vdsl lsp` (stdio) for .vdsl and .baml files and adds a command
// that shows a function's rendered prompt and request (the server's vdsl/renderPrompt).
// Plain JavaScript: no build step. Install its one dependency with `npm install` here.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("vdsl");
  const [command, ...args] = config.get("server.command", ["vdsl", "lsp"]);
  const logFile = config.get("server.logFile", "");
  if (logFile) {
    args.push("--log-file", logFile);
  }
  return { command, args };
}

async function start() {
  client = new LanguageClient(
    "vdsl",
    "vdsl",
    serverOptions(),
    {
      documentSelector: [{ scheme: "file", language: "vdsl" }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{vdsl,baml}"),
      },
    },
  );
  await client.start();
}

async function renderPrompt() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !client) {
    return;
  }
  const word = editor.document.getText(
    editor.document.getWordRangeAtPosition(editor.selection.active),
  );
  const fn = await vscode.window.showInputBox({ prompt: "Function", value: word });
  if (!fn) {
    return;
  }
  const test = await vscode.window.showInputBox({ prompt: "Test block (optional)" });
  const reply = await client.sendRequest("vdsl/renderPrompt", {
    uri: editor.document.uri.toString(),
    function: fn,
    test: test || undefined,
  });
  const doc = await vscode.workspace.openTextDocument({
    language: "json",
    content: JSON.stringify(reply, null, 2),
  });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside });
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("vdsl.renderPrompt", renderPrompt),
    vscode.commands.registerCommand("vdsl.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      await start();
    }),
  );
  await start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
