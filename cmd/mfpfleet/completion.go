package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// Completion scripts. bash, zsh and PowerShell ask the binary itself
// (urfave/cli's hidden --generate-bash-completion flag), so they follow
// new commands and flags without being regenerated; fish gets its
// static script from urfave/cli.
const bashCompletion = `# mfpfleet completion for bash: source <(mfpfleet completion bash)
_mfpfleet_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:$COMP_CWORD}")
  local opts
  if [[ "$cur" == -* ]]; then
    opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
}
complete -o bashdefault -o default -F _mfpfleet_complete mfpfleet
`

const zshCompletion = `#compdef mfpfleet
# mfpfleet completion for zsh: mfpfleet completion zsh > "${fpath[1]}/_mfpfleet"
_mfpfleet() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
if [[ "$funcstack[1]" == "_mfpfleet" ]]; then
  _mfpfleet "$@"
else
  compdef _mfpfleet mfpfleet
fi
`

const powershellCompletion = `# mfpfleet completion for PowerShell:
#   mfpfleet completion powershell | Out-String | Invoke-Expression
# (add that line to $PROFILE to keep it)
Register-ArgumentCompleter -Native -CommandName 'mfpfleet', 'mfpfleet.exe' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.EndOffset -lt $cursorPosition -or ($_.Extent.EndOffset -eq $cursorPosition -and $wordToComplete -eq '') } |
        ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 0 -and $words[-1] -eq $wordToComplete) {
        $words = @($words | Select-Object -SkipLast 1)
    }
    $exe = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = @($words[1..($words.Count - 1)]) }
    if ($wordToComplete -like '-*') { $rest += $wordToComplete }
    & $exe @rest --generate-bash-completion 2>$null |
        Where-Object { $_ -like "$wordToComplete*" } |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`

func newCompletionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh, fish or powershell",
		ArgsUsage: "SHELL",
		Description: `Prints a script that completes mfpfleet's commands and flags on TAB.

Examples:
   source <(mfpfleet completion bash)                  # bash, this shell
   mfpfleet completion bash > /etc/bash_completion.d/mfpfleet
   mfpfleet completion zsh > "${fpath[1]}/_mfpfleet"   # zsh (then restart it)
   mfpfleet completion fish > ~/.config/fish/completions/mfpfleet.fish
   mfpfleet completion powershell | Out-String | Invoke-Expression
       # PowerShell; add that line to $PROFILE to keep it`,
		Action: func(c *cli.Context) error {
			g := getGlobals(c)
			if c.NArg() != 1 {
				return usageError("give one shell: mfpfleet completion bash|zsh|fish|powershell")
			}
			var script string
			switch sh := strings.ToLower(c.Args().First()); sh {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return fmt.Errorf("fish completion: %w", err)
				}
				script = s
			case "powershell", "pwsh":
				script = powershellCompletion
			default:
				return usageError("unknown shell %q: use bash, zsh, fish or powershell", sh)
			}
			_, err := fmt.Fprint(g.stdout, script)
			return err
		},
	}
}
