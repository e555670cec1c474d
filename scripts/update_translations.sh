#!/usr/bin/env bash
# Extract tr() strings from app/ and compile the translations.
#   scripts/update_translations.sh          update resources/i18n/*.ts from the sources, then compile .qm
#   scripts/update_translations.sh --qm     only compile .ts -> .qm
# Source strings are English; fieldaudit_zh_CN.ts carries the Chinese. fieldaudit_en.ts holds only the
# plural forms English needs. The compiled .qm files are committed so a fresh clone needs no build step.
set -euo pipefail
cd "$(dirname "$0")/.."
I18N=resources/i18n
if [[ "${1:-}" != "--qm" ]]; then
    mapfile -t sources < <(find app/ui app/__main__.py -name '*.py' -not -path '*/__pycache__/*' | sort)
    pyside6-lupdate -locations relative -no-obsolete "${sources[@]}" -ts "$I18N/fieldaudit_zh_CN.ts"
    pyside6-lupdate -locations relative -no-obsolete -pluralonly "${sources[@]}" -ts "$I18N/fieldaudit_en.ts"
fi
for ts in "$I18N"/fieldaudit_*.ts; do
    pyside6-lrelease "$ts" -qm "${ts%.ts}.qm"
done
