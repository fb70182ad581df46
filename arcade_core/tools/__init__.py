"""The `arcade` command-line tools: `arcade` itself (`cli`), `play`, `record`, `bench` and
`new-plugin` (with its game template).

They use the engine (`arcade_core`) as any program would and are never imported by it; the
agents and other plugins add their own commands through the `arcade_cli` hook.
"""
