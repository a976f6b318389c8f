package main

// examples are the Examples sections of the commands' help, by command
// name; every command has one.
var examples = map[string]string{
	"quickstart": `  coopera quickstart
  coopera quickstart -dir ./data/quickstart -json`,
	"init": `  coopera init -example-genesis -keys keys > genesis.json
  coopera init -genesis genesis.json data/ledger`,
	"keygen": `  coopera keygen -out keys/dave.key`,
	"submit": `  coopera submit -example > transfer.json
  coopera submit data/ledger transfer.json
  coopera submit -node http://127.0.0.1:8080 transfer.json
  coopera submit -json data/ledger - < transfer.json`,
	"balance": `  coopera balance data/ledger alice
  coopera balance data/ledger alice COOP -json
  coopera balance -node http://127.0.0.1:8080 alice COOP`,
	"blocks":   `  coopera blocks data/ledger -from 1 -limit 10`,
	"events":   `  coopera events data/ledger -account bob -limit 20 -json`,
	"verify":   `  coopera verify data/ledger`,
	"replay":   `  coopera replay data/ledger data/replayed`,
	"snapshot": `  coopera snapshot data/ledger data/ledger-copy`,
	"contribution": `  coopera contribution data/ledger -provider bob
  coopera contribution data/ledger -validator carol -json`,
	"meter": `  coopera meter -nvml -actor meter -provider bob -key keys/meter.key data/ledger
  coopera meter -dcgm http://127.0.0.1:9400/metrics -actor meter -provider bob -node http://127.0.0.1:8080 -chain-id coopera-example`,
	"node": `  coopera node -genesis genesis.json -nats nats://127.0.0.1:4222 -replicas 1 -id n1 -http :8080 data/n1
  # -replicas 1 against a single JetStream server, such as one started with: nats-server -js`,
	"cluster-demo": `  coopera cluster-demo
  coopera cluster-demo -json`,
	"gov": `  coopera gov hash policies
  coopera gov eval -proposal proposal.json
  coopera gov propose -actor alice data/ledger proposal.json`,
	"gov hash":     `  coopera gov hash policies`,
	"gov eval":     `  coopera gov eval -proposal proposal.json -ledger data/ledger`,
	"gov init":     `  coopera gov init -genesis genesis.json data/gov`,
	"gov propose":  `  coopera gov propose -actor alice data/ledger proposal.json`,
	"gov vote":     `  coopera gov vote -actor bob -proposal 1 -option yes data/ledger`,
	"gov delegate": `  coopera gov delegate -actor carol -to bob data/ledger`,
	"gov tally":    `  coopera gov tally -actor alice -proposal 1 data/ledger`,
	"gov queue":    `  coopera gov queue -actor alice -proposal 1 data/ledger`,
	"gov execute":  `  coopera gov execute -actor alice -proposal 1 data/ledger`,
	"gov cancel":   `  coopera gov cancel -actor alice -proposal 1 data/ledger`,
	"gov submit":   `  coopera gov submit data/ledger command.json`,
	"gov show": `  coopera gov show data/ledger
  coopera gov show data/ledger 1 -json`,
	"sim": `  coopera sim run examples/baseline.yaml -o out/baseline
  coopera sim sweep examples/sweep-fee.yaml -o out/sweep -runs 4`,
	"sim run":      `  coopera sim run examples/baseline.yaml -o out/baseline -runs 8`,
	"sim sweep":    `  coopera sim sweep examples/sweep-fee.yaml -o out/sweep -runs 4`,
	"sim validate": `  coopera sim validate examples/baseline.yaml`,
	"sim worker":   `  coopera sim worker -nats nats://127.0.0.1:4222`,
	"version": `  coopera version
  coopera version -json`,
}
