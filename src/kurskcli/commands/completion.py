"""``kurskcli completion``: a shell completion script."""

import sys
from enum import Enum
from typing import Annotated

import typer

from kurskcli.cli import DebugOpt


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")], debug: DebugOpt = False) -> None:
    """Print a shell completion script: commands, options, actor names and record ids.

    \b
    Set it up:
      bash:  echo 'eval "$(kurskcli completion bash)"' >> ~/.bashrc
      zsh:   echo 'eval "$(kurskcli completion zsh)"' >> ~/.zshrc
      fish:  kurskcli completion fish > ~/.config/fish/completions/kurskcli.fish
    """
    from kurskcli.complete import SCRIPTS

    sys.stdout.write(SCRIPTS[shell.value])
