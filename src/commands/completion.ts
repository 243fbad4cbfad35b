/**
 * `cyclops completion bash|zsh|fish`: a shell completion script generated from the command
 * tree (commands, subcommands, options), so commands added later complete without edits here.
 * Env and app names come from the config at completion time, through the hidden
 * `cyclops __complete envs|apps`, which reads the config file only: no SDK, no AWS call.
 */
import type { Command } from 'commander';
import { usageError } from '../errors';
import { examples, type Register } from './types';

/** One command in the tree, as the scripts need it. */
export interface CompletionNode {
  /** "" for the program, "env create" for a subcommand */
  path: string;
  description: string;
  subcommands: string[];
  /** long and short flags, this command's and the global ones */
  flags: string[];
  /** the flags that take a value (their value is not a positional argument) */
  valueFlags: string[];
  /** positional argument names, in order: env and app complete from config */
  args: string[];
}

const visible = (cmd: Command) => cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden && c.name() !== 'help');

/** Every visible command under `root`, depth first, the program first. */
export function completionTree(root: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const visit = (cmd: Command, path: string[], inherited: Command['options']) => {
    const options = [...inherited, ...cmd.options];
    const flags = (os: Command['options']) => os.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
    out.push({
      path: path.join(' '),
      description: cmd.description(),
      subcommands: visible(cmd).map((c) => c.name()),
      flags: [...new Set([...flags(options), '--help'])],
      valueFlags: [...new Set(flags(options.filter((o) => o.required || o.optional)))],
      args: cmd.registeredArguments.map((a) => a.name()),
    });
    for (const c of visible(cmd)) visit(c, [...path, c.name()], options);
  };
  visit(root, [], []);
  return out;
}

const words = (xs: string[]) => xs.join(' ');

export function bashScript(nodes: CompletionNode[]): string {
  const table = (name: string, get: (n: CompletionNode) => string[]) =>
    `_cyclops_${name}() {\n  case "$1" in\n${nodes.map((n) => `    '${n.path}') echo '${words(get(n))}' ;;`).join('\n')}\n  esac\n}`;
  return `# cyclops completion for bash: source <(cyclops completion bash)
${table('subs', (n) => n.subcommands)}
${table('flags', (n) => n.flags)}
${table('value_flags', (n) => n.valueFlags)}
${table('args', (n) => n.args)}
_cyclops() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" nargs=0 i w skip=0 config=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -c | --config) config=(--config "\${COMP_WORDS[i + 1]}"); skip=1; continue ;;
      -*) [[ " $(_cyclops_value_flags "$path") " == *" $w "* ]] && skip=1; continue ;;
    esac
    if ((nargs == 0)) && [[ " $(_cyclops_subs "$path") " == *" $w "* ]]; then
      path="\${path:+$path }$w"
    else
      nargs=$((nargs + 1))
    fi
  done
  if ((skip)); then COMPREPLY=(); return; fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_cyclops_flags "$path")" -- "$cur"))
    return
  fi
  local subs args arg
  subs="$(_cyclops_subs "$path")"
  if ((nargs == 0)) && [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  fi
  args=($(_cyclops_args "$path"))
  arg="\${args[nargs]}"
  case "$arg" in
    env) COMPREPLY=($(compgen -W "$(cyclops "\${config[@]}" __complete envs 2>/dev/null)" -- "$cur")) ;;
    app) COMPREPLY=($(compgen -W "$(cyclops "\${config[@]}" __complete apps 2>/dev/null)" -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}
complete -o default -F _cyclops cyclops
`;
}

/** zsh runs the bash function through bashcompinit (part of zsh). */
export function zshScript(nodes: CompletionNode[]): string {
  return `#compdef cyclops
# cyclops completion for zsh: source <(cyclops completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(nodes).split('\n').slice(1).join('\n')}`;
}

export function fishScript(nodes: CompletionNode[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = ['# cyclops completion for fish: cyclops completion fish | source', 'complete -c cyclops -f'];
  for (const n of nodes) {
    const parts = n.path ? n.path.split(' ') : [];
    // The command's own words are on the line, and none of its subcommands yet.
    const here = [...parts.map((p) => `__fish_seen_subcommand_from ${p}`), ...(n.subcommands.length ? [`not __fish_seen_subcommand_from ${n.subcommands.join(' ')}`] : [])];
    const cond = here.length ? here.join('; and ') : '__fish_use_subcommand';
    const sub = (s: string) => nodes.find((m) => m.path === [...parts, s].join(' '))?.description ?? '';
    for (const s of n.subcommands) lines.push(`complete -c cyclops -n ${q(cond)} -a ${s} -d ${q(sub(s))}`);
    for (const f of n.flags.filter((x) => x.startsWith('--'))) lines.push(`complete -c cyclops -n ${q(cond)} -l ${f.slice(2)}`);
    if (n.args.includes('env')) lines.push(`complete -c cyclops -n ${q(cond)} -a '(cyclops __complete envs 2>/dev/null)'`);
    if (n.args.includes('app')) lines.push(`complete -c cyclops -n ${q(cond)} -a '(cyclops __complete apps 2>/dev/null)'`);
  }
  return lines.join('\n') + '\n';
}

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export const register: Register = (program, run) => {
  examples(
    program
      .command('completion')
      .description('print a shell completion script (commands, options, and env and app names from config)')
      .argument('<shell>', 'bash, zsh or fish'),
    ['source <(cyclops completion bash)    # in ~/.bashrc', 'source <(cyclops completion zsh)     # in ~/.zshrc', 'cyclops completion fish > ~/.config/fish/completions/cyclops.fish'],
  ).action(
    run(async (ctx, shell: string) => {
      const make = SHELLS[shell as keyof typeof SHELLS];
      if (!make) throw usageError(`completion: no script for shell "${shell}"; use one of: ${Object.keys(SHELLS).join(', ')}`);
      const script = make(completionTree(program));
      if (ctx.reporter.json) ctx.reporter.result({ shell, script });
      else ctx.reporter.raw(script.replace(/\n$/, ''));
    }),
  );

  // Called by the scripts while completing; reads the config only (never the SDK or AWS).
  program
    .command('__complete', { hidden: true })
    .argument('<what>', 'envs or apps')
    .action(
      run(async (ctx, what: string) => {
        const config = await ctx.config();
        const names = what === 'envs' ? Object.keys(config.environments) : what === 'apps' ? Object.keys(config.apps) : null;
        if (!names) throw usageError(`__complete: unknown list "${what}"; use envs or apps`);
        if (ctx.reporter.json) ctx.reporter.result({ [what]: names });
        else ctx.reporter.raw(names.join('\n'));
      }),
    );
};
