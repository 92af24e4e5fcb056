# Sourced by the benchmarks: the manifest that imports the peer's seeded listings.csv
# (../shared/bench/peer/gen.py) through the CSV reader, its columns mapped by name.
#
#   peer_csv_manifest FILE ID TITLE CSV
peer_csv_manifest() {
  cat > "$1" <<YML
id: $2
title: $3
url: file://$4
format: csv
schedule: "every 24h"
options:
  max_bytes: 4000000000
  encoding: utf-8
  delimiter: ","
fields:
  id: id
  name: name
  kind: kind
  needs: needs
  audience: audience
  description: description
  street: address_1
  postal_code: postal_code
  commune: commune
  insee: insee
  latitude: latitude
  longitude: longitude
  phones: phone
  opening_hours: opening_hours
YML
}
