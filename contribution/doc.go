// Package contribution turns metered work and validators' judgements into
// each epoch's rewards: the Proof of Intelligence of the ChainOpera white
// paper, as a deterministic reducer (a ledger.Module named "contribution").
//
// Contribution. Authorised reporters (meters, services) record work by
// registered providers, each record naming its source: GPU time of a
// device class, inference tokens served, models deployed or adopted, data
// items and annotations, agents, templates and tools adopted. A governed
// price table P(k) values it: C_i = sum_k P(k) N(i,k), and for GPU time
// P(i,j) T(i,j) by device class.
//
// Consensus. Registered validators (with at least a minimum stake) commit
// to weights over providers, then reveal them in a later block of the same
// epoch; an unrevealed commitment is no vote. Self-weights and weights to
// providers registered after the commitment are dropped. At the epoch's end
// the weights are combined by stake-weighted consensus after Bittensor's
// Yuma (see yuma.go): each provider's consensus weight is the largest
// weight that validators holding kappa of the stake give it, every weight is
// clipped to it, and ranks, incentives, trust, EMA bonds and validator
// dividends follow, in integer fixed point.
//
// Allocation. The pool account's balance of the reward asset is split by
// governed role shares (compute, models, data, creators, validators).
// Within a provider role, shares follow C_j x I_j (contribution value
// weighted by consensus incentive; C_j alone when no validator voted).
// A provider whose claimed share of its role exceeds its consensus share by
// more than the outlier bound is flagged and its reward withheld. No
// provider is paid more than the service credits it served are worth at the
// oracle price (the self-dealing cap, when a PriceSource is given).
// Validators share their pool by dividends x validator trust, so those far
// from consensus earn less. Every division floors; withheld and capped
// rewards, unallocated role pools and every remainder go to the treasury,
// so paid + treasury = pool to the last base unit.
//
// Assessors (LeaveOneOut, ExactShapley, SampledShapley) score the marginal
// value of models or datasets from a supplied utility table, reproducibly.
//
// The reducer is pure: no clock, randomness, I/O or floats; it reads the
// epoch and time from the chain and its parameters from state.
package contribution
