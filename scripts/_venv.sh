# Sourced by the scripts in this folder: create or reuse .venv and keep it in step with pyproject.toml.
# Needs only python3; every dependency comes from PyPI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VIAL_VENV:-$root/.venv}"
extras="${1:-dev}"
if [ ! -x "$venv/bin/python" ]; then
    echo "vial: creating the virtual environment in $venv" >&2
    python3 -m venv "$venv"
fi
stamp="$venv/.vial-installed-$extras"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    echo "vial: installing vial and its [$extras] dependencies into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[$extras]"
    touch "$stamp"
fi
export PATH="$venv/bin:$PATH"
cd "$root"
