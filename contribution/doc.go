// Package contribution turns metered work and validators' judgements into
// each epoch's rewards: the Proof of Intelligence of the ChainOpera white
// paper, as a deterministic reducer (a ledger.Module named "contribution").
//
// Contribution. Authorised reporters (meters, services) record work by
// registered providers, each record naming its source: GPU time of a
// device class, inference tokens served, models deployed or adopted, data
// items and annotations, agents, templates and tools adopted. A governed
// price table P(k) values it: C_i = sum_k P(k) N(i,k), and for GPU time
// P(i,j) T(i,j) by device class. A record's quantity, credits and energy
// are bounded (max_quantity, MaxRecordCredits, MaxRecordEnergyMJ), and a
// record that would overflow its provider's sums for the epoch is
// refused, so that no one record breaks a provider's epoch.
//
// Consensus. Registered validators (with at least a minimum stake) commit
// to weights over providers, then reveal them in a later block of the same
// epoch (commit_reveal; off, a reveal alone sets weights). Weights persist
// until the validator reveals again; a validator whose last weights are
// older than activity_cutoff epochs is inactive: its stake leaves the
// consensus, its bonds decay, it keeps earning dividends from them.
// Self-weights and weights to providers registered after the weights were
// set are dropped. At the epoch's end the weights are combined exactly as
// Bittensor's subtensor combines them (pallets/subtensor/src/epoch,
// run_epoch.rs, its original Yuma with normalised bonds), in 32.32 fixed
// point with every step floored as the chain's I32F32 does (see yuma.go
// and README.md): each provider's consensus is the stake-weighted median
// of its weights at kappa (a 16-bit fraction, 32767/65535 by default),
// weights are clipped to it, and ranks, incentive, trust, validator trust,
// the bond EMA over column-normalised bonds (stored as the chain's u16,
// or at 32 bits) and dividends follow.
//
// Allocation. The pool account's balance of the reward asset is split, by
// default ("roles"), by governed role shares (compute, models, data,
// creators, validators). Within a provider role, shares follow C_j x I_j
// (contribution value weighted by incentive; C_j alone when no weights
// reach consensus). A provider whose claimed share of its role exceeds its
// consensus share by more than the outlier bound is flagged and its
// reward withheld. Validators share their pool by dividends x validator
// trust. With allocation "subtensor" the pool is split as the chain splits
// an epoch's emission: providers by incentive, validators by dividends,
// each over their sum. In both, no provider is paid more than the service
// credits it served are worth at the oracle price (the self-dealing cap,
// when a PriceSource is given). Every division floors; withheld and capped
// rewards, unallocated role pools and every remainder go to the treasury,
// so paid + treasury = pool to the last base unit. The treasury must exist
// and must not be a booked account (ledger.Bookkeeper), where the payment
// would be stranded; the module's own is StakeAccount, whose balance is
// the registrations' stakes. A close that finds the treasury booked all
// the same (state from before the checks, or a release that booked the
// account since) pays it nothing: the treasury's part stays in the pool
// for the next close, EpochScored records no treasury payment, and an
// epoch_work_failed event says why.
//
// Replay. The close is decided once, in EndEpoch: the EpochScored event
// carries the epoch's provider columns, every result and the changes to
// every validator's bonds, and its Evolve only stores them. Replaying a
// block never scores; a change to the scoring changes new blocks only.
//
// Assessors (LeaveOneOut, ExactShapley, SampledShapley) score the marginal
// value of models or datasets from a supplied utility table, reproducibly.
//
// The reducer is pure: no clock, randomness, I/O or floats; it reads the
// epoch and time from the chain and its parameters from state.
package contribution
