package http

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Sign-in limits (AC-08). A client (its address, or the one a trusted
// proxy names) that fails clientFailures times in the window is blocked
// until the window has passed. An account address that has failed
// addressFailures times, from anywhere, is slowed: a client that has
// itself failed on it is blocked, one that has not waits slowDown before
// its password is checked, so the right password from a clean client still
// gets in while a flood is going on. Attempts are counted before the
// password is checked and given back when it was right, so a parallel
// burst cannot run more checks than the limit.
const (
	signInWindow    = 15 * time.Minute
	clientFailures  = 50
	addressFailures = 10
	slowDown        = time.Second
	// maxLimiterKeys bounds the limiter's memory: keys are fixed-size
	// hashes, and past this many, new keys are refused until old ones
	// expire.
	maxLimiterKeys = 100000
)

// limiter counts attempts per key in a sliding window; its gate's mutex
// guards it.
type limiter struct {
	window time.Duration
	hits   map[string][]time.Time
}

func newLimiter(window time.Duration) *limiter {
	return &limiter{window: window, hits: map[string][]time.Time{}}
}

// limiterKey is the fixed-size key of a value a request supplies, so that
// no request data is kept beyond a hash.
func limiterKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// count returns how many attempts key has in the window.
func (l *limiter) count(key string, now time.Time) (int, time.Duration) {
	kept := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.hits, key)
		return 0, 0
	}
	l.hits[key] = kept
	return len(kept), l.window - now.Sub(kept[0])
}

// add records an attempt of key at now; false when the limiter is full.
func (l *limiter) add(key string, now time.Time) bool {
	if _, ok := l.hits[key]; !ok && len(l.hits) >= maxLimiterKeys {
		for k := range l.hits {
			l.count(k, now) // drops expired keys
		}
		if len(l.hits) >= maxLimiterKeys {
			return false
		}
	}
	l.hits[key] = append(l.hits[key], now)
	return true
}

// remove gives back the attempt of key made at at.
func (l *limiter) remove(key string, at time.Time) {
	ts := l.hits[key]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			l.hits[key] = append(ts[:i], ts[i+1:]...)
			break
		}
	}
	if len(l.hits[key]) == 0 {
		delete(l.hits, key)
	}
}

// signInGate admits sign-in attempts under the limits and bounds how many
// password hashes (argon2id, 19 MiB each) run at once.
type signInGate struct {
	mu                        sync.Mutex // guards the three limiters
	clients, addresses, pairs *limiter
	hashing                   chan struct{}
}

func newSignInGate(concurrent int) *signInGate {
	return &signInGate{clients: newLimiter(signInWindow), addresses: newLimiter(signInWindow),
		pairs: newLimiter(signInWindow), hashing: make(chan struct{}, concurrent)}
}

// attempt is one admitted sign-in attempt; done says how it went.
type attempt struct {
	g                 *signInGate
	client, addr, two string
	at                time.Time
	slow              bool
}

// admit reserves an attempt for address (normalized) from client, or
// says how long to wait. The reservation counts as a failure until done
// says the password was right.
func (g *signInGate) admit(client, address string, now time.Time) (*attempt, time.Duration) {
	a := &attempt{g: g, client: limiterKey(client), addr: limiterKey(address), two: limiterKey(address, client), at: now}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n, wait := g.clients.count(a.client, now); n >= clientFailures {
		return nil, wait
	}
	if n, _ := g.addresses.count(a.addr, now); n >= addressFailures {
		if m, wait := g.pairs.count(a.two, now); m > 0 {
			return nil, wait
		}
		a.slow = true
	}
	if !g.clients.add(a.client, now) || !g.addresses.add(a.addr, now) || !g.pairs.add(a.two, now) {
		return nil, signInWindow
	}
	return a, 0
}

// check runs the password check fn for an admitted attempt: after the
// slow-down an over-limit address asks for, and while holding one of the
// password-hashing slots.
func (a *attempt) check(ctx context.Context, fn func() error) error {
	if a.slow {
		select {
		case <-time.After(slowDown):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case a.g.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.g.hashing }()
	return fn()
}

// succeeded gives the attempt back: a right password is not a failure.
func (a *attempt) succeeded() {
	a.g.mu.Lock()
	defer a.g.mu.Unlock()
	a.g.clients.remove(a.client, a.at)
	a.g.addresses.remove(a.addr, a.at)
	a.g.pairs.remove(a.two, a.at)
}
