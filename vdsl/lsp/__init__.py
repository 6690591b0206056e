"""`vdsl lsp`: a language server (LSP over stdio) for .vdsl/.baml files; needs `vdsl[lsp]`."""
