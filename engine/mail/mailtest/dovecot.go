package mailtest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds how long StartDovecot and Restart wait for the server
// to greet.
const startTimeout = 10 * time.Second

// User is a mail account on the test server.
type User struct {
	Name     string
	Password string
}

// DefaultUser is the account StartDovecot creates when DovecotOptions.Users
// is empty.
var DefaultUser = User{Name: "alice", Password: "alice-secret"}

// DovecotOptions configures StartDovecot. The zero value gives one user
// (DefaultUser), INBOX only, no TLS.
type DovecotOptions struct {
	// Users are the accounts, each with a plain password; the first one is
	// Dovecot.User. A name may not hold ':' or '/', and neither may hold
	// a line break or a NUL; anything else goes.
	Users []User
	// Mailboxes are created for every user at start, besides INBOX, which
	// always exists. The hierarchy separator is "/". Drafts, Sent, Trash,
	// Junk and Archive get their special-use attribute when they exist.
	Mailboxes []string
	// TLS turns on ssl = yes with a certificate signed by RootCAs: STARTTLS
	// is offered on Addr and implicit TLS (IMAPS) listens on TLSAddr.
	TLS bool
	// Config is appended verbatim to the generated dovecot.conf, so it can
	// override any setting (e.g. "imap_idle_notify_interval = 1 secs").
	Config string
	// Debug turns on Dovecot's auth_debug, mail_debug and verbose_ssl.
	Debug bool
}

// Dovecot is a running Dovecot IMAP server for one test. Its fields are set
// by StartDovecot and must not be changed.
type Dovecot struct {
	// Addr is host:port of the plain IMAP listener (STARTTLS when TLS).
	Addr string
	// TLSAddr is host:port of the implicit-TLS listener; empty without TLS.
	TLSAddr string
	// RootCAs verifies the server certificate; nil without TLS.
	RootCAs *x509.CertPool
	// User and Password are the first account's.
	User     string
	Password string
	// Users are all the accounts.
	Users []User
	// Dir holds the configuration, the passwd file, the log, the runtime
	// directory and the mail (a Maildir per user, under Dir).
	Dir string
	// ConfigPath is the generated dovecot.conf, for doveadm -c.
	ConfigPath string

	dovecotBin string
	doveadmBin string
	logPath    string
	outPath    string // the master's own stdout and stderr
	tlsConf    *tls.Config
	logShown   bool // a failure message already carried the log

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// identity says which system users the daemon's processes run as.
type identity struct {
	internalUser, internalGroup string // default_internal_user/group
	loginUser                   string // default_login_user
	mailUID, mailGID            int    // mail_uid, mail_gid
	root                        bool
}

var versionCheck struct {
	once    sync.Once
	version string
	err     error
}

// dovecotVersion runs "dovecot --version" once per process.
func dovecotVersion(bin string) (string, error) {
	versionCheck.once.Do(func() {
		out, err := exec.Command(bin, "--version").CombinedOutput()
		versionCheck.version = strings.TrimSpace(string(out))
		if err != nil {
			versionCheck.err = fmt.Errorf("%s --version: %v: %s", bin, err, out)
		}
	})
	return versionCheck.version, versionCheck.err
}

// StartDovecot starts a Dovecot IMAP server on 127.0.0.1 with its own
// configuration, users and Maildirs under a temporary directory, waits until
// it greets, and stops it when the test ends. The daemon runs in the
// foreground as a child process (dovecot -F -c CONFIG), so no system
// configuration is read and nothing outlives the test binary.
//
// Run as root (as CI does), login processes run as the package's dovenull
// user chrooted as usual, the other internal processes and the mail as the
// package's dovecot user (Dovecot refuses to touch mail as root). Run as an
// ordinary user, every process runs as that user and nothing is chrooted.
//
// Under go test -short the test is skipped: Dovecot takes seconds to start.
func StartDovecot(t testing.TB, opts DovecotOptions) *Dovecot {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: starts a real Dovecot (go test without -short runs it)")
	}
	dovecotBin, err := lookPath("dovecot")
	if err != nil {
		unavailable(t, "%v; %s", err, installHint)
	}
	doveadmBin, err := lookPath("doveadm")
	if err != nil {
		unavailable(t, "%v; %s", err, installHint)
	}
	version, err := dovecotVersion(dovecotBin)
	if err != nil {
		unavailable(t, "%v; %s", err, installHint)
	}
	if !strings.HasPrefix(version, "2.3.") {
		unavailable(t, "dovecot %s is installed; this harness writes configuration for Dovecot 2.3, as in Debian 12's dovecot-imapd", version)
	}
	id := processIdentity(t)

	users := opts.Users
	if len(users) == 0 {
		users = []User{DefaultUser}
	}
	for _, u := range users {
		if u.Name == "" || strings.ContainsAny(u.Name, ":\n\r\x00/") || strings.ContainsAny(u.Password, "\n\r\x00") {
			t.Fatalf("mailtest: user %q: a name must be non-empty without ':', '/' or line breaks, a password without line breaks", u.Name)
		}
	}

	dir := workDir(t, id.root)
	d := &Dovecot{
		User:       users[0].Name,
		Password:   users[0].Password,
		Users:      slices.Clone(users),
		Dir:        dir,
		ConfigPath: filepath.Join(dir, "dovecot.conf"),
		dovecotBin: dovecotBin,
		doveadmBin: doveadmBin,
		logPath:    filepath.Join(dir, "dovecot.log"),
		outPath:    filepath.Join(dir, "dovecot.out"),
	}

	var passwd strings.Builder
	for _, u := range users {
		// {PLAIN.b64} keeps passwords with ':' or spaces intact.
		fmt.Fprintf(&passwd, "%s:{PLAIN.b64}%s::::::\n", u.Name, base64.StdEncoding.EncodeToString([]byte(u.Password)))
	}
	mustWrite(t, filepath.Join(dir, "passwd"), passwd.String(), 0o644)
	for _, sub := range []string{"run", "state", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
	}
	if id.root {
		// Mail is written as the mail user, which must own the homes' parent.
		if err := os.Chown(filepath.Join(dir, "home"), id.mailUID, id.mailGID); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
	}
	if opts.TLS {
		b, err := localCert()
		if err != nil {
			t.Fatalf("mailtest: generating the test certificate: %v", err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "tls"), 0o755); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		mustWrite(t, filepath.Join(dir, "tls", "cert.pem"), string(b.certPEM), 0o644)
		mustWrite(t, filepath.Join(dir, "tls", "key.pem"), string(b.keyPEM), 0o600)
		d.RootCAs = b.pool
		d.tlsConf = &tls.Config{RootCAs: b.pool, MinVersion: tls.VersionTLS12}
	}

	t.Cleanup(func() {
		d.Kill() // the data goes with the test; no need to wait for a clean stop
		if t.Failed() && !d.logShown {
			t.Logf("mailtest: dovecot log (%s):\n%s", d.Dir, d.Log())
		}
	})

	// A port picked free can be taken by someone else before Dovecot binds
	// it; try again with new ports when that happens.
	for attempt := 1; ; attempt++ {
		ports := freePorts(t, 2)
		port := ports[0]
		d.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		tlsPort := 0 // no listener
		if opts.TLS {
			tlsPort = ports[1]
			d.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
		}
		mustWrite(t, d.ConfigPath, d.config(opts, id, port, tlsPort), 0o644)
		err := d.start()
		if err == nil {
			break
		}
		if attempt < 3 && strings.Contains(d.Log(), "Address already in use") {
			continue
		}
		d.logShown = true
		t.Fatalf("mailtest: starting dovecot: %v\n%s", err, d.Log())
	}

	for _, u := range users {
		for _, mb := range opts.Mailboxes {
			d.CreateMailbox(t, u.Name, mb)
		}
	}
	return d
}

// processIdentity chooses the users Dovecot's processes run as.
func processIdentity(t testing.TB) identity {
	t.Helper()
	if isRoot() {
		internal, err := user.Lookup("dovecot")
		if err != nil {
			unavailable(t, "running as root needs the system user dovecot (%v); %s", err, installHint)
		}
		if _, err := user.Lookup("dovenull"); err != nil {
			unavailable(t, "running as root needs the system user dovenull (%v); %s", err, installHint)
		}
		group, err := user.LookupGroupId(internal.Gid)
		if err != nil {
			unavailable(t, "group %s of user dovecot: %v; %s", internal.Gid, err, installHint)
		}
		uid, _ := strconv.Atoi(internal.Uid)
		gid, _ := strconv.Atoi(internal.Gid)
		return identity{
			internalUser:  internal.Username,
			internalGroup: group.Name,
			loginUser:     "dovenull",
			mailUID:       uid,
			mailGID:       gid,
			root:          true,
		}
	}
	me, err := user.Current()
	if err != nil {
		unavailable(t, "the current user has no name (%v), and Dovecot run unprivileged needs one", err)
	}
	group, err := user.LookupGroupId(me.Gid)
	if err != nil {
		unavailable(t, "the current group %s has no name (%v), and Dovecot run unprivileged needs one", me.Gid, err)
	}
	uid, _ := strconv.Atoi(me.Uid)
	gid, _ := strconv.Atoi(me.Gid)
	return identity{
		internalUser:  me.Username,
		internalGroup: group.Name,
		loginUser:     me.Username,
		mailUID:       uid,
		mailGID:       gid,
	}
}

// workDir returns the directory for one server. Dovecot's unix sockets must
// fit in 108 bytes, its paths must not hold characters its config expands
// ('%', '$', spaces), and when run as root every directory above must be
// searchable by the unprivileged users; t.TempDir() is used when it fits, a
// fresh directory in /tmp otherwise.
func workDir(t testing.TB, root bool) string {
	t.Helper()
	dir := t.TempDir()
	if root {
		// The test's own directories are created 0700.
		_ = os.Chmod(dir, 0o755)
		_ = os.Chmod(filepath.Dir(dir), 0o711)
	}
	if usableDir(dir, root) {
		return dir
	}
	dir, err := os.MkdirTemp("/tmp", "mailtest-")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if !usableDir(dir, root) {
		t.Fatalf("mailtest: no usable directory for dovecot (tried t.TempDir() and %s)", dir)
	}
	return dir
}

func usableDir(dir string, root bool) bool {
	if len(dir) > 70 {
		return false
	}
	for _, r := range dir {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+", r)
		if !ok {
			return false
		}
	}
	if root {
		for p := dir; ; p = filepath.Dir(p) {
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm()&0o001 == 0 {
				return false
			}
			if p == filepath.Dir(p) {
				break
			}
		}
	}
	return true
}

func mustWrite(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
}

// freePorts returns n distinct TCP ports on 127.0.0.1 that were free a
// moment ago.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("mailtest: finding a free port: %v", err)
		}
		defer l.Close() // held until all are chosen, so that they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// config renders dovecot.conf for Dovecot 2.3.
func (d *Dovecot) config(opts DovecotOptions, id identity, port, tlsPort int) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# Generated by mailtest for one test; nothing else is read.")
	p("base_dir = %s/run", d.Dir)
	p("state_dir = %s/state", d.Dir)
	p("log_path = %s", d.logPath)
	p("instance_name = mailtest")
	p("protocols = imap")
	p("listen = 127.0.0.1")
	p("shutdown_clients = yes")
	p("")
	p("default_internal_user = %s", id.internalUser)
	p("default_internal_group = %s", id.internalGroup)
	p("default_login_user = %s", id.loginUser)
	p("first_valid_uid = 1")
	p("first_valid_gid = 1")
	p("mail_uid = %d", id.mailUID)
	p("mail_gid = %d", id.mailGID)
	p("")
	if opts.TLS {
		p("ssl = yes")
		p("ssl_cert = <%s/tls/cert.pem", d.Dir)
		p("ssl_key = <%s/tls/key.pem", d.Dir)
	} else {
		p("ssl = no")
	}
	p("disable_plaintext_auth = no")
	p("auth_mechanisms = plain login")
	p("auth_failure_delay = 0")
	p("auth_verbose = yes")
	if opts.Debug {
		p("auth_debug = yes")
		p("mail_debug = yes")
		p("verbose_ssl = yes")
	}
	p("passdb {")
	p("  driver = passwd-file")
	p("  args = scheme=PLAIN username_format=%%u %s/passwd", d.Dir)
	p("}")
	p("userdb {")
	p("  driver = passwd-file")
	p("  args = username_format=%%u %s/passwd", d.Dir)
	p("  default_fields = home=%s/home/%%u", d.Dir)
	p("}")
	p("")
	p("mail_location = maildir:~/Maildir")
	p("mail_fsync = never")
	p("namespace inbox {")
	p("  inbox = yes")
	p("  separator = /")
	for _, mb := range []string{"Drafts", "Sent", "Trash", "Junk", "Archive"} {
		p("  mailbox %s {", mb)
		p("    special_use = \\%s", mb)
		p("  }")
	}
	p("}")
	p("protocol imap {")
	p("  mail_max_userip_connections = 1000")
	p("}")
	p("")
	p("service imap-login {")
	if !id.root {
		p("  chroot =")
	}
	p("  inet_listener imap {")
	p("    address = 127.0.0.1")
	p("    port = %d", port)
	p("  }")
	p("  inet_listener imaps {")
	p("    address = 127.0.0.1")
	p("    port = %d", tlsPort) // 0 disables the listener
	p("    ssl = yes")
	p("  }")
	p("}")
	if !id.root {
		// chroot needs root; these are the other services chrooted by default.
		p("service anvil {")
		p("  chroot =")
		p("}")
		p("service imap-urlauth-login {")
		p("  chroot =")
		p("}")
	}
	if opts.Config != "" {
		p("")
		p("# DovecotOptions.Config")
		p("%s", opts.Config)
	}
	return b.String()
}

// start runs the daemon and waits until every listener greets.
func (d *Dovecot) start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		return errors.New("already running")
	}
	// A pid file left by a killed daemon could name a live, unrelated process.
	_ = os.Remove(filepath.Join(d.Dir, "run", "master.pid"))
	// A file, not a pipe: children inherit the master's stdout and stderr,
	// and a pipe would keep cmd.Wait waiting for the last of them.
	out, err := os.OpenFile(d.outPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(d.dovecotBin, "-F", "-c", d.ConfigPath)
	cmd.Dir = d.Dir
	cmd.Stdout = out
	cmd.Stderr = out
	detach(cmd)
	if err := cmd.Start(); err != nil {
		out.Close()
		return err
	}
	exited := make(chan struct{})
	go func() {
		if err := cmd.Wait(); err != nil {
			fmt.Fprintf(out, "mailtest: dovecot master exited: %v\n", err)
		}
		out.Close()
		close(exited)
	}()
	d.cmd, d.exited = cmd, exited

	deadline := time.Now().Add(startTimeout)
	err = waitGreeting(d.Addr, nil, deadline, exited)
	if err == nil && d.TLSAddr != "" {
		err = waitGreeting(d.TLSAddr, d.tlsConf, deadline, exited)
	}
	if err != nil {
		d.stopLocked(false)
		return err
	}
	return nil
}

// waitGreeting dials addr until the server sends its real "* OK" greeting
// (Dovecot first sends "* OK Waiting for authentication process" while its
// auth process starts), the daemon exits, or the deadline passes.
func waitGreeting(addr string, tlsConf *tls.Config, deadline time.Time, exited <-chan struct{}) error {
	var last error
	for {
		select {
		case <-exited:
			return fmt.Errorf("dovecot exited before %s greeted (last error: %v)", addr, last)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no IMAP greeting on %s within %v (last error: %v)", addr, startTimeout, last)
		}
		last = readGreeting(addr, tlsConf, deadline)
		if last == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readGreeting(addr string, tlsConf *tls.Config, deadline time.Time) error {
	dialer := &net.Dialer{Deadline: deadline, Timeout: time.Second}
	var conn net.Conn
	var err error
	if tlsConf != nil {
		conn, err = tls.DialWithDialer(dialer, "tcp", addr, tlsConf)
	} else {
		conn, err = dialer.Dial("tcp", addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("reading greeting: %w", err)
		}
		if !strings.HasPrefix(line, "* OK") {
			return fmt.Errorf("unexpected greeting %q", strings.TrimSpace(line))
		}
		if !strings.HasPrefix(line, "* OK Waiting for") {
			_, _ = conn.Write([]byte("mt LOGOUT\r\n"))
			return nil
		}
	}
}

// Stop shuts the daemon down the way an administrator does (SIGTERM):
// clients are told "* BYE" and disconnected, and the master waits for its
// children; that takes about a second, most of it Dovecot's own pause for its
// log process. The data stays, and Restart starts the daemon again. Stop is
// safe to call more than once.
func (d *Dovecot) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked(true)
}

// Kill ends the daemon and all its processes at once (SIGKILL), as a crash
// would: connections are reset. The data stays, and Restart starts the daemon
// again. Kill is safe to call more than once.
func (d *Dovecot) Kill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked(false)
}

func (d *Dovecot) stopLocked(graceful bool) {
	if d.cmd == nil {
		return
	}
	if graceful {
		terminate(d.cmd.Process)
		select {
		case <-d.exited:
		case <-time.After(5 * time.Second):
		}
	}
	// Whatever is left of the master and its children (the master's
	// process group holds them all) ends now.
	killGroup(d.cmd.Process)
	<-d.exited
	d.cmd, d.exited = nil, nil
}

// Restart stops the daemon as Stop does, unless it is already stopped or
// killed, and starts it again on the same addresses with the same
// configuration and mail, waiting until it greets, to test reconnects.
// For a quick restart that looks like a crash, call Kill first.
func (d *Dovecot) Restart(t testing.TB) {
	t.Helper()
	d.Stop()
	if err := d.start(); err != nil {
		d.logShown = true
		t.Fatalf("mailtest: restarting dovecot: %v\n%s", err, d.Log())
	}
}

// Running reports whether the daemon is up (started and not stopped).
func (d *Dovecot) Running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return false
	}
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// Log returns Dovecot's log file and anything the master printed itself.
func (d *Dovecot) Log() string {
	var b strings.Builder
	if data, err := os.ReadFile(d.logPath); err == nil {
		b.Write(data)
	}
	if data, err := os.ReadFile(d.outPath); err == nil && len(data) > 0 {
		b.WriteString("--- dovecot stdout/stderr ---\n")
		b.Write(data)
	}
	return b.String()
}

// Doveadm runs "doveadm -c CONFIG args..." and returns its standard output,
// failing the test when it fails. The daemon must be running, as doveadm
// looks users up through it.
func (d *Dovecot) Doveadm(t testing.TB, stdin []byte, args ...string) string {
	t.Helper()
	out, err := d.doveadm(stdin, args...)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	return out
}

func (d *Dovecot) doveadm(stdin []byte, args ...string) (string, error) {
	// The running daemon's config socket answers faster than doveadm's
	// default of running doveconf on the file, and says the same.
	cmd := exec.Command(d.doveadmBin, append([]string{"-c", filepath.Join(d.Dir, "run", "config")}, args...)...)
	cmd.Dir = d.Dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("doveadm %s: %v: %s%s", strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return stdout.String(), nil
}

// Deliver puts raw into folder of user the way a local delivery agent does
// (doveadm save), creating the folder when it does not exist. The message
// gets the next UID, and clients with the folder selected are told. Bytes
// are kept as given; IMAP serves bare LF line ends as CRLF, so give CRLF to
// compare fetched bodies byte for byte.
func (d *Dovecot) Deliver(t testing.TB, user, folder string, raw []byte) {
	t.Helper()
	if raw == nil {
		raw = []byte{}
	}
	_, err := d.doveadm(raw, "save", "-u", user, "-m", folder)
	if err != nil && strings.Contains(err.Error(), "Mailbox doesn't exist") {
		d.CreateMailbox(t, user, folder)
		_, err = d.doveadm(raw, "save", "-u", user, "-m", folder)
	}
	if err != nil {
		t.Fatalf("mailtest: delivering to %s/%s: %v", user, folder, err)
	}
}

// CreateMailbox creates folder for user; an existing folder is left alone.
func (d *Dovecot) CreateMailbox(t testing.TB, user, folder string) {
	t.Helper()
	_, err := d.doveadm(nil, "mailbox", "create", "-u", user, folder)
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("mailtest: %v", err)
	}
}

// MailboxStatus is what Status reports of one folder.
type MailboxStatus struct {
	Messages    int
	Unseen      int
	UIDNext     uint32
	UIDValidity uint32
}

// Status reads the counts and UID state of folder as the server has them.
func (d *Dovecot) Status(t testing.TB, user, folder string) MailboxStatus {
	t.Helper()
	out := d.Doveadm(t, nil, "-f", "tab", "mailbox", "status", "-u", user, "messages unseen uidnext uidvalidity", folder)
	rows := tabRows(out)
	if len(rows) != 1 {
		t.Fatalf("mailtest: doveadm mailbox status %s: unexpected output %q", folder, out)
	}
	row := rows[0]
	num := func(key string) uint64 {
		n, err := strconv.ParseUint(row[key], 10, 32)
		if err != nil {
			t.Fatalf("mailtest: doveadm mailbox status %s: %s=%q: %v", folder, key, row[key], err)
		}
		return n
	}
	return MailboxStatus{
		Messages:    int(num("messages")),
		Unseen:      int(num("unseen")),
		UIDNext:     uint32(num("uidnext")),
		UIDValidity: uint32(num("uidvalidity")),
	}
}

// Count returns the number of messages in folder, expunged ones excluded
// and messages flagged \Deleted but not yet expunged included.
func (d *Dovecot) Count(t testing.TB, user, folder string) int {
	t.Helper()
	return d.Status(t, user, folder).Messages
}

// Flags returns the flags of every message in folder by UID, e.g.
// {1: ["\Seen"], 2: []}. \Recent is left out: it depends on which session
// looked first. Keywords are included as they are named.
func (d *Dovecot) Flags(t testing.TB, user, folder string) map[uint32][]string {
	t.Helper()
	out := d.Doveadm(t, nil, "-f", "tab", "fetch", "-u", user, "uid flags", "mailbox", folder, "all")
	flags := map[uint32][]string{}
	for _, row := range tabRows(out) {
		uid, err := strconv.ParseUint(row["uid"], 10, 32)
		if err != nil {
			t.Fatalf("mailtest: doveadm fetch: uid %q: %v", row["uid"], err)
		}
		list := []string{}
		for _, f := range strings.Fields(row["flags"]) {
			if f != `\Recent` {
				list = append(list, f)
			}
		}
		flags[uint32(uid)] = list
	}
	return flags
}

// HasFlag reports whether the message with uid in folder has flag (e.g.
// `\Seen`, `\Deleted`), comparing case-insensitively as IMAP does.
func (d *Dovecot) HasFlag(t testing.TB, user, folder string, uid uint32, flag string) bool {
	t.Helper()
	list, ok := d.Flags(t, user, folder)[uid]
	if !ok {
		t.Fatalf("mailtest: %s/%s has no message with UID %d", user, folder, uid)
	}
	return slices.ContainsFunc(list, func(f string) bool { return strings.EqualFold(f, flag) })
}

// SetUIDValidity changes folder's UIDVALIDITY, as happens when a server's
// mail store is rebuilt, so that clients must drop what they know of it.
func (d *Dovecot) SetUIDValidity(t testing.TB, user, folder string, v uint32) {
	t.Helper()
	d.Doveadm(t, nil, "mailbox", "update", "-u", user, "--uid-validity", strconv.FormatUint(uint64(v), 10), folder)
}

// tabRows parses doveadm's -f tab output: a header row, then one row per
// record.
func tabRows(out string) []map[string]string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 2 {
		return nil
	}
	header := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, line := range lines[1:] {
		row := map[string]string{}
		for i, v := range strings.Split(line, "\t") {
			if i < len(header) {
				row[header[i]] = v
			}
		}
		rows = append(rows, row)
	}
	return rows
}
