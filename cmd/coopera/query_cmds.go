package main

// Read-only commands: balance, blocks, events.

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/coopera/coopera"
	"github.com/coopera/coopera/api"
	"github.com/coopera/coopera/ledger"
)

var cmdBalance = &command{
	name:     "balance",
	synopsis: "DIR ACCOUNT [ASSET] | -node URL ACCOUNT ASSET",
	summary:  "print an account's balance of an asset, or all its balances",
	help: `Balance prints ACCOUNT's balance of ASSET, or every non-zero balance of
the account, in whole units of the asset and in base units. With -node
URL it reads ACCOUNT's balance of ASSET from a node's HTTP API instead
(coopera node -http).`,
	run: runBalance,
}

func runBalance(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	var remote remoteFlags
	remote.register(f, "read from")
	pos, code, done := c.parse(cmd, f, args, 2, 3)
	if done {
		return code
	}
	if remote.node != "" {
		if len(pos) != 2 {
			return c.usageError(cmd, f.fs, "with -node, give ACCOUNT and ASSET (no directory)")
		}
		acct, asset := ledger.AccountID(pos[0]), ledger.AssetID(pos[1])
		for _, err := range []error{acct.Validate(), asset.Validate()} {
			if err != nil {
				return c.failInput(err)
			}
		}
		return c.balanceRemote(ctx, &remote, acct, asset, f.json)
	}
	acct := ledger.AccountID(pos[1])
	if err := acct.Validate(); err != nil {
		return c.failInput(err)
	}
	var asset ledger.AssetID
	if len(pos) == 3 {
		asset = ledger.AssetID(pos[2])
		if err := asset.Validate(); err != nil {
			return c.failInput(err)
		}
	}
	return c.withLedger(pos[0], func(eng *coopera.Engine) int {
		a := newAssets(eng)
		if asset != "" {
			amt, err := eng.Balance(ctx, acct, asset)
			if err != nil {
				return c.fail(err)
			}
			b, err := a.Balance(ctx, acct, asset, amt)
			if err != nil {
				return c.fail(err)
			}
			if f.json {
				return c.writeJSON(b)
			}
			writeBalances(c.stdout, "", []balanceJSON{b})
			return exitOK
		}
		info, err := eng.Account(ctx, acct)
		if err != nil {
			return c.fail(err)
		}
		bs, err := a.Balances(ctx, info.Balances)
		if err != nil {
			return c.fail(err)
		}
		if f.json {
			return c.writeJSON(struct {
				Account  ledger.AccountID `json:"account"`
				Nonce    uint64           `json:"nonce"`
				Balances []balanceJSON    `json:"balances"`
			}{acct, info.Nonce, bs})
		}
		if len(bs) == 0 {
			fmt.Fprintf(c.stdout, "%s holds no balances\n", acct)
			return exitOK
		}
		writeBalances(c.stdout, "", bs)
		return exitOK
	})
}

var cmdBlocks = &command{
	name:     "blocks",
	synopsis: "DIR [-from H] [-limit N]",
	summary:  "list blocks: time, hash, state root, commands and events",
	help: `Blocks lists the blocks of the ledger in DIR from height H on (0 is the
genesis block), at most N of them, with their time, hash, state root and
the numbers of commands, rejected commands and events.`,
	run: runBlocks,
}

// blockJSON is a block's summary in the JSON document of blocks.
type blockJSON struct {
	Height       uint64      `json:"height"`
	Time         string      `json:"time"`
	TimeUnixNano int64       `json:"time_unix_nano"`
	Hash         ledger.Hash `json:"hash"`
	PrevHash     ledger.Hash `json:"prev_hash"`
	StateRoot    ledger.Hash `json:"state_root"`
	Commands     int         `json:"commands"`
	Rejected     int         `json:"rejected"`
	Events       int         `json:"events"`
}

func summarizeBlock(b *ledger.Block) blockJSON {
	s := blockJSON{
		Height: b.Height, Time: formatTimeJSON(b.Time), TimeUnixNano: b.Time,
		Hash: b.Hash(), PrevHash: b.PrevHash, StateRoot: b.StateRoot,
		Commands: len(b.Commands), Events: len(b.Events),
	}
	for _, r := range b.Results {
		if r.Code != "" {
			s.Rejected++
		}
	}
	return s
}

// rangeFlags are the -from and -limit flags of blocks and events.
type rangeFlags struct {
	from  uint64
	limit int
}

func (r *rangeFlags) register(f *flags, what string) {
	f.fs.Uint64Var(&r.from, "from", 0, "start at block height `H` (0 is the genesis block)")
	f.fs.IntVar(&r.limit, "limit", 0, "list at most `N` "+what+" (0: no limit)")
}

func (c *cli) checkRange(cmd *command, f *flags, r *rangeFlags) (int, bool) {
	if r.limit < 0 {
		return c.usageError(cmd, f.fs, "-limit must not be negative"), true
	}
	return exitOK, false
}

func runBlocks(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	var r rangeFlags
	r.register(f, "blocks")
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if code, done := c.checkRange(cmd, f, &r); done {
		return code
	}
	return c.withLedger(pos[0], func(eng *coopera.Engine) int {
		head := eng.Head().Height
		out := []blockJSON{}
		for h := r.from; h <= head && (r.limit == 0 || len(out) < r.limit); h++ {
			b, err := eng.Block(ctx, h)
			if err != nil {
				return c.fail(err)
			}
			out = append(out, summarizeBlock(b))
		}
		if f.json {
			return c.writeJSON(out)
		}
		if len(out) == 0 {
			fmt.Fprintf(c.stdout, "no blocks from height %d: the head is at height %d\n", r.from, head)
			return exitOK
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "HEIGHT\tTIME\tHASH\tSTATE ROOT\tCOMMANDS\tREJECTED\tEVENTS")
		for _, b := range out {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\n", b.Height, formatTime(b.TimeUnixNano),
				b.Hash.Short(), b.StateRoot.Short(), b.Commands, b.Rejected, b.Events)
		}
		tw.Flush()
		return exitOK
	})
}

var cmdEvents = &command{
	name:     "events",
	synopsis: "DIR [-account A] [-from H] [-limit N]",
	summary:  "list the events of an account, or of every block",
	help: `Events lists the events concerning account A, or all events, in blocks
from height H on, oldest first, at most N of them. INDEX is the event's
index in its block.`,
	run: runEvents,
}

func runEvents(c *cli, ctx context.Context, cmd *command, args []string) int {
	f := c.newFlags(cmd)
	var r rangeFlags
	r.register(f, "events")
	account := f.fs.String("account", "", "list only the events concerning account `A`")
	pos, code, done := c.parse(cmd, f, args, 1, 1)
	if done {
		return code
	}
	if code, done := c.checkRange(cmd, f, &r); done {
		return code
	}
	acct := ledger.AccountID(*account)
	if acct != "" {
		if err := acct.Validate(); err != nil {
			return c.failInput(err)
		}
	}
	return c.withLedger(pos[0], func(eng *coopera.Engine) int {
		var recs []coopera.EventRecord
		var err error
		if acct != "" {
			if _, err := eng.Account(ctx, acct); err != nil {
				return c.fail(err)
			}
			recs, err = eng.AccountEvents(ctx, acct, r.from, r.limit)
		} else {
			recs, err = allEvents(ctx, eng, r.from, r.limit)
		}
		if err != nil {
			return c.fail(err)
		}
		if f.json {
			out := make([]eventJSON, 0, len(recs))
			for _, rec := range recs {
				ev, err := ledger.MarshalEventJSON(rec.Event)
				if err != nil {
					return c.fail(err)
				}
				out = append(out, eventJSON{Height: rec.Height, Index: rec.Index, Time: formatTimeJSON(rec.Time), Event: ev})
			}
			return c.writeJSON(out)
		}
		if len(recs) == 0 {
			fmt.Fprintln(c.stdout, "no events")
			return exitOK
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "HEIGHT\tINDEX\tTIME\tEVENT")
		for _, rec := range recs {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", rec.Height, rec.Index, formatTime(rec.Time), api.DescribeEvent(rec.Event))
		}
		tw.Flush()
		return exitOK
	})
}

// allEvents returns the events of the blocks from height from on, at most
// limit (0: no limit).
func allEvents(ctx context.Context, eng *coopera.Engine, from uint64, limit int) ([]coopera.EventRecord, error) {
	var out []coopera.EventRecord
	head := eng.Head().Height
	for h := from; h <= head; h++ {
		b, err := eng.Block(ctx, h)
		if err != nil {
			return nil, err
		}
		for i, ev := range b.Events {
			if limit > 0 && len(out) == limit {
				return out, nil
			}
			out = append(out, coopera.EventRecord{Height: h, Index: i, Time: b.Time, Event: ev})
		}
	}
	return out, nil
}
