#!/usr/bin/env bash
# The module graph of ARCHITECTURE.md, checked on the sources (run by `make test`):
# each module imports only the Relais modules (and GRDB) it is allowed to, and the
# core (model, normalisers, merge, engine) touches no file, network or process.
set -uo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [RelaisModel]=""
  [RelaisNormalize]="RelaisModel"
  [RelaisMerge]="RelaisModel RelaisNormalize"
  [RelaisReferral]="RelaisModel RelaisNormalize"
  [RelaisFetch]=""
  [RelaisAuth]=""
  [RelaisSources]="RelaisModel RelaisNormalize RelaisMerge RelaisFetch"
  [RelaisStore]="RelaisModel RelaisMerge RelaisNormalize"
  [RelaisStoreSQLite]="RelaisStore RelaisModel RelaisNormalize RelaisMerge GRDB"
  [RelaisStorePostgres]="RelaisStore RelaisModel RelaisNormalize RelaisMerge"
  [RelaisStoreContract]="RelaisStore RelaisModel RelaisMerge"
  [RelaisImport]="RelaisSources RelaisStore RelaisMerge RelaisFetch RelaisModel RelaisNormalize"
  [RelaisApp]="RelaisImport RelaisSources RelaisStore RelaisStoreSQLite RelaisStorePostgres RelaisReferral RelaisMerge RelaisAuth RelaisFetch RelaisModel RelaisNormalize"
  [RelaisServer]="RelaisApp RelaisModel RelaisNormalize RelaisReferral RelaisStore RelaisImport RelaisSources RelaisMerge RelaisAuth"
  [relais]="RelaisApp RelaisServer RelaisImport RelaisSources RelaisStore RelaisReferral RelaisNormalize RelaisModel RelaisAuth"
  [relais-bench]="RelaisApp RelaisImport RelaisSources RelaisStore RelaisReferral RelaisNormalize RelaisModel RelaisServer"
  # RelaisFuzz drives parsers as the edges do (the query target: RelaisApp's query parsers), like relais-bench
  [RelaisFuzz]="RelaisSources RelaisNormalize RelaisReferral RelaisModel RelaisApp"
  [relais-fuzz]="RelaisFuzz"
  [RelaisTestSupport]="RelaisFetch"
)
bad=0
for dir in Sources/*/; do
  module=$(basename "$dir")
  if [[ -z ${allowed[$module]+set} ]]; then
    ls "$dir"*.swift >/dev/null 2>&1 || continue
    echo "layers: $module is not in scripts/check-layers.sh (add it with what it may import)"; bad=1; continue
  fi
  while IFS=: read -r file import; do
    name=${import##* }
    [[ $name == Relais* || $name == GRDB* ]] || continue
    [[ $name == GRDBSQLite ]] && name=GRDB
    [[ " ${allowed[$module]} " == *" $name "* ]] || { echo "layers: $file imports $name (not allowed for $module)"; bad=1; }
  done < <(grep -rHE '^(@testable )?import [A-Za-z]+' --include=*.swift "$dir" | sed -E 's/:(@testable )?import /:import /')
done
# The core does no I/O.
if grep -rnE 'FileManager|URLSession|Data\(contentsOf|fopen\(|Process\(|ProcessInfo|Date\(\)' Sources/RelaisModel Sources/RelaisNormalize Sources/RelaisMerge Sources/RelaisReferral; then
  echo "layers: the core (model, normalisers, merge, engine) reads files, the network, the process or the clock above"; bad=1
fi
[ $bad -eq 0 ] && echo "layers: every module imports only what ARCHITECTURE.md allows; the core does no I/O"
exit $bad
