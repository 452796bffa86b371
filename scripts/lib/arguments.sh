# Sourced by the scripts that take few or no arguments, so each answers --help with its own
# header comment and refuses what it does not understand, instead of ignoring it and running
# (`scripts/demo --help` used to start the whole demo).

# The comment block under the shebang, without its "# ".
script_usage() {
  sed -n '2,/^[^#]/{/^#/{s/^# \{0,1\}//;p}}' "$1"
}

# script_help_requested SCRIPT ARG...: prints the usage and exits 0 when an argument is -h/--help.
script_help_requested() {
  local script=$1 argument
  shift
  for argument in "$@"; do
    case "$argument" in -h | --help) script_usage "$script"; exit 0 ;; esac
  done
}

# script_refuse SCRIPT MESSAGE: one sentence on stderr naming the script, then exit 64 (EX_USAGE).
script_refuse() {
  echo "scripts/${1##*/}: $2 Run scripts/${1##*/} --help for its usage." >&2
  exit 64
}

# script_takes_no_arguments SCRIPT ARG...: --help, or nothing at all.
script_takes_no_arguments() {
  local script=$1
  shift
  script_help_requested "$script" "$@"
  (($# == 0)) || script_refuse "$script" "takes no arguments, and was given '$*'."
}

# script_need_value SCRIPT WHAT OPTION [VALUE ...]: refuses an option given without its value,
# e.g.  --units) script_need_value "$0" "a folder" "$@"; units=$2; shift 2 ;;
script_need_value() {
  local script=$1 what=$2
  shift 2
  (($# >= 2)) && [ -n "$2" ] || script_refuse "$script" "$1 needs $what after it."
}
