#!/usr/bin/env python3
"""Generate lstar's man page and bash completion from the binary's own --help.

usage: gen_help_docs.py LSTAR VERSION_H EXIT_STATUS_HPP OUT_MAN OUT_BASH

The text of every option, the examples and the command list come from `lstar --help`,
`lstar run --help` and `lstar kernel-elf --help` (CLI11's format), so the page cannot drift from
the program; the exit statuses come from vmm/common/exit_status.hpp. The completion offers the
options, the values of every option whose help lists them ({a,b,c}), the built-in programs for
--init, the --trace items, and file names where a file is taken.
"""
import re
import subprocess
import sys

FILE_OPTIONS = {'--exit-log', '--trace-out', '--trace-file', '-o', '--module', '--initrd', '--kvm-device'}
TRACE_ITEMS = ['syscalls', 'path=', 'steps=', 'exceptions=', 'msr']
# strace's -e: trace= and its classes (vmm/trace/syscall_classes.cpp).
FILTER_ITEMS = ['trace=', 'trace=%file', 'trace=%process', 'trace=%network', 'trace=%signal', 'trace=%ipc',
                'trace=%desc', 'trace=%memory', 'trace=%creds', 'trace=%clock', 'trace=%pure']


def help_text(lstar, *args):
    return subprocess.run([lstar, *args, '--help'], check=True, capture_output=True, text=True).stdout


def parse(text):
    """CLI11's help: a description, Usage:, then sections (Positionals:, Options:, Subcommands:)
    of `  NAMES TYPE   description` entries (a long NAMES part puts the description on the next
    line), and a footer after the last section."""
    lines = text.splitlines()
    desc, usage, sections, footer = [], '', {}, []
    section = None
    i = 0
    while i < len(lines) and not lines[i].startswith('Usage:'):
        if lines[i].strip():
            desc.append(lines[i].strip())
        i += 1
    usage = lines[i][len('Usage:'):].strip() if i < len(lines) else ''
    i += 1
    entries = None
    for line in lines[i:]:
        if re.match(r'^[A-Z][A-Za-z ]*:$', line):
            section = line[:-1]
            entries = sections.setdefault(section, [])
            continue
        if section is None or entries is None:
            continue
        if not line.strip():
            continue
        if not line.startswith(' '):  # the footer, flush left
            footer.append(line)
            entries = None
            section = '_footer'
            continue
        m = re.match(r'^  (\S.*?)(?:\s{2,}(\S.*))?$', line)
        if line.startswith('   ') and entries:  # a description on its own line, or its continuation
            name, d = entries[-1]
            entries[-1] = (name, (d + ' ' if d else '') + line.strip())
        elif m:
            entries.append((m.group(1).strip(), (m.group(2) or '').strip()))
    return {'desc': ' '.join(desc), 'usage': usage, 'sections': sections}, footer


def footer_of(text):
    """Everything after the last option entry that is flush left (CLI11 prints the footer there)."""
    lines = text.splitlines()
    out, started = [], False
    # The footer starts at the first flush-left line after the first section header.
    seen_section = False
    for line in lines:
        if re.match(r'^(Positionals|Options|Subcommands):$', line):
            seen_section = True
            continue
        if seen_section and line and not line.startswith(' '):
            started = True
        if started:
            out.append(line)
    return out


def roff(s):
    s = s.replace('\\', '\\e').replace('-', '\\-')
    return ('\\&' + s) if s.startswith(('.', "'")) else s


def option_names(names):
    """'-m,--memory SIZE [128M]' -> (['-m', '--memory'], 'SIZE [128M]')"""
    head, _, rest = names.partition(' ')
    return head.split(','), rest


def value_and_default(rest):
    """CLI11's 'TEXT:{a,b}=a' -> ('{a,b}', 'a'); 'SIZE=128M' -> ('SIZE', '128M'); 'TEXT:FILE ...' -> ('FILE ...', '')."""
    rest = rest.replace(' REQUIRED', '')
    m = re.match(r'^(\S*?)(?:=(\S+))?((?: \.\.\.)?)$', rest)
    value, default, more = (m.group(1), m.group(2) or '', m.group(3)) if m else (rest, '', '')
    if value.startswith('TEXT:'):
        value = value[len('TEXT:'):]
    return value + more, default


def man_page(version, main, run, kelf, examples, intro_notes, statuses):
    out = []
    out.append(f'.TH LSTAR 1 "2026" "lstar {version}" "User Commands"')
    out.append('.SH NAME')
    desc = main['desc'].split(': ', 1)[-1]
    out.append(f'lstar \\- {roff(desc)}')
    out.append('.SH SYNOPSIS')
    out.append('.B lstar\n[\\fB\\-v\\fR|\\fB\\-q\\fR] \\fBrun\\fR [\\fIIMAGE\\fR] [\\fIOPTIONS\\fR] [\\fB\\-\\-\\fR \\fIARGS\\fR...]')
    out.append('.br\n.B lstar\n\\fBkernel\\-elf\\fR \\fIFILE\\fR')
    out.append('.br\n.B lstar\n\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR')
    out.append('.SH DESCRIPTION')
    out.append('lstar is ' + roff(desc) + '.')
    out.append('.PP\nThe global options \\fB\\-v\\fR and \\fB\\-q\\fR go before or after the command. '
               'Sizes take K, M, G or T (powers of 1024; a bare number is MiB); durations take ms, s, m or h.')
    for note in intro_notes:
        out.append('.PP\n' + roff(note))
    out.append('.SH COMMANDS')
    for name, d in main['sections'].get('Subcommands', []):
        out.append(f'.TP\n.B {roff(name)}\n{roff(d)}')
    for title, page in (('GLOBAL OPTIONS', main), ('RUN OPTIONS', run), ('KERNEL-ELF OPTIONS', kelf)):
        out.append(f'.SH {title}')
        for section in ('Positionals', 'Options'):
            for names, d in page['sections'].get(section, []):
                if title != 'GLOBAL OPTIONS' and names.startswith('-h,--help'):
                    continue
                opts, rest = option_names(names)
                value, default = value_and_default(rest)
                if opts[0].startswith('-'):
                    label = ', '.join(f'\\fB{roff(o)}\\fR' for o in opts)
                    if value:
                        label += ' \\fI' + roff(value) + '\\fR'
                else:  # a positional: its value's name alone
                    label = '\\fI' + roff(value.split()[0] if value else opts[0].upper()) + '\\fR'
                text = d + (f' (default: {default})' if default else '')
                out.append(f'.TP\n{label}\n{roff(text)}')
    out.append('.SH EXAMPLES')
    for line in examples:
        m = re.match(r'^\s*(lstar.*?)(?:\s{2,}(.*))?$', line)
        if m:
            out.append(f'.TP\n.B {roff(m.group(1))}\n{roff(m.group(2) or "")}')
    out.append('.SH EXIT STATUS')
    out.append('The guest\'s own status when the guest ended the run; otherwise:')
    for code, what in statuses:
        out.append(f'.TP\n.B {code}\n{roff(what)}')
    out.append('.SH FILES')
    out.append('.TP\n.I share/lstar/kernel.elf\nthe built-in kernel with its symbols, for gdb '
               '(the same bytes \\fBlstar kernel\\-elf\\fR writes)')
    out.append('.SH SEE ALSO')
    out.append('.BR gdb (1),\n.BR strace (1),\n.BR qemu\\-system\\-x86_64 (1)')
    return '\n'.join(out) + '\n'


def completion(main, run, programs):
    run_opts, values = [], {}
    for section in ('Options',):
        for names, d in run['sections'].get(section, []):
            opts, rest = option_names(names)
            run_opts += [o for o in opts if o.startswith('--') or o.startswith('-')]
            m = re.search(r'\{([^}]*)\}', rest)
            for o in opts:
                if m:
                    values[o] = m.group(1).split(',')
    global_opts = []
    for names, _ in main['sections'].get('Options', []):
        global_opts += [o for o in option_names(names)[0] if o not in run_opts]
    values['--init'] = programs
    values['--trace'] = TRACE_ITEMS
    values['-e'] = FILTER_ITEMS
    commands = [n for n, _ in main['sections'].get('Subcommands', [])]
    cases = []
    for o, vals in sorted(values.items()):
        cases.append(f'        {o}) COMPREPLY=($(compgen -W "{" ".join(vals)}" -- "$cur")); return ;;')
    files = '|'.join(sorted(FILE_OPTIONS))
    return f'''# bash completion for lstar, generated from `lstar --help` by scripts/gen_help_docs.py
_lstar() {{
    local cur prev words cword
    _init_completion || return
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        [[ "${{words[i]}}" == -- ]] && return
        if [[ -z "$cmd" ]]; then
            case "${{words[i]}}" in {"|".join(commands)}) cmd="${{words[i]}}" ;; esac
        fi
    done
    case "$prev" in
{chr(10).join(cases)}
        {files}) _filedir; return ;;
        -m|--memory|--exit-log-limit|--timeout|--smp|--gdb|--append|--rlimit) return ;;
    esac
    case "$cmd" in
        run)
            if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "{" ".join(run_opts + global_opts)}" -- "$cur"))
            else
                _filedir
            fi ;;
        kernel-elf) _filedir ;;
        *) COMPREPLY=($(compgen -W "{" ".join(commands + global_opts)}" -- "$cur")) ;;
    esac
}}
complete -F _lstar lstar
'''


def exit_statuses(path):
    out = []
    for line in open(path):
        m = re.match(r'\s*inline constexpr int k\w+ = (\d+);\s*//\s*(.*)', line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    lstar, version_h, status_hpp, out_man, out_bash = sys.argv[1:]
    version = re.search(r'LSTAR_GIT_VERSION "([^"]*)"', open(version_h).read()).group(1)
    main_text, run_text, kelf_text = help_text(lstar), help_text(lstar, 'run'), help_text(lstar, 'kernel-elf')
    main_help, _ = parse(main_text)
    run_help, _ = parse(run_text)
    kelf_help, _ = parse(kelf_text)
    footer = footer_of(run_text)
    notes, examples, in_examples = [], [], False
    for line in footer:
        if line.startswith('Examples:'):
            in_examples = True
        elif in_examples and line.strip():
            examples.append(line)
        elif line.strip():
            notes.append(line.strip())
    init = next((d for n, d in run_help['sections'].get('Options', []) if n.startswith('--init')), '')
    programs = init.split('(init=NAME): ', 1)[-1].split() if '(init=NAME): ' in init else []
    if not examples or not programs:
        print('gen_help_docs.py: no examples or no program list in `lstar run --help`', file=sys.stderr)
        return 1
    with open(out_man, 'w') as f:
        f.write(man_page(version, main_help, run_help, kelf_help, examples, notes, exit_statuses(status_hpp)))
    with open(out_bash, 'w') as f:
        f.write(completion(main_help, run_help, programs))
    return 0


if __name__ == '__main__':
    sys.exit(main())
