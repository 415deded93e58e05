"""`vsegrader completion bash|zsh`: a completion script for the shell, from the parser
itself (so it never lists a command that does not exist).

    eval "$(vsegrader completion bash)"      # in ~/.bashrc
    eval "$(vsegrader completion zsh)"       # in ~/.zshrc
"""

from __future__ import annotations

import argparse

BASH = """_vsegrader() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  case "${COMP_WORDS[*]:1:COMP_CWORD-1}" in
%(cases)s
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _vsegrader vsegrader
"""


def add_command(commands_, root: argparse.ArgumentParser) -> None:
    sub = commands_.add_parser("completion", help="print a bash or zsh completion script")
    sub.add_argument("shell", choices=["bash", "zsh"])
    sub.set_defaults(handler=lambda args: print_script(args.shell, root))


def words_by_prefix(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, list[str]]:
    """{'c': ['list', 'files', ...], '': ['login', ...]}: what may follow each command path."""
    table: dict[str, list[str]] = {}
    options = [o for action in parser._actions for o in action.option_strings]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            table[prefix] = list(action.choices) + options
            for name, child in action.choices.items():
                table.update(words_by_prefix(child, f"{prefix} {name}".strip()))
            return table
    table[prefix] = options
    return table


def bash_script(root: argparse.ArgumentParser) -> str:
    table = words_by_prefix(root)
    cases = []
    for prefix in sorted(table, key=len, reverse=True):
        pattern = f'"{prefix}"|"{prefix} "*' if prefix else "*"
        cases.append(f'    {pattern}) words="{" ".join(table[prefix])}" ;;')
    return BASH % {"cases": "\n".join(cases)}


def print_script(shell: str, root: argparse.ArgumentParser) -> int:
    script = bash_script(root)
    if shell == "zsh":
        script = "autoload -U +X bashcompinit && bashcompinit\n" + script
    print(script, end="")
    return 0
