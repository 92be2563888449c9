package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestSettingsPrecedence: a flag beats the environment, the environment
// (or its _FILE variant) beats the config file, and the file beats the
// default.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "searchdesk.conf")
	secret := filepath.Join(dir, "pw")
	os.WriteFile(cfg, []byte("# settings\naddr = :9000\nlog-format = json\nadmin-email = \"file@example.com\"\nlog-level=warn\n"), 0o600)
	os.WriteFile(secret, []byte("from-a-file-123\n"), 0o600)
	envs := map[string]string{"SEARCHDESK_LOG_FORMAT": "text", "SEARCHDESK_ADMIN_PASSWORD_FILE": secret,
		"SEARCHDESK_CONFIG": cfg}
	env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return envs[k] }, log: discardLogger()}
	fs := newFlags(env, "t")
	addr := fs.String("addr", "", "")
	format := fs.String("log-format", "text", "")
	level := fs.String("log-level", "info", "")
	email := fs.String("admin-email", "admin@localhost", "")
	pw := fs.String("admin-password", "", "")
	data := fs.String("data", "", "")
	fs.String("config", "", "")
	if err := parseFlags(fs, []string{"--addr", ":7000"}); err != nil {
		t.Fatal(err)
	}
	if err := applySettings(fs, env, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"addr (flag)", *addr, ":7000"},
		{"log-format (env over file)", *format, "text"},
		{"log-level (file)", *level, "warn"},
		{"admin-email (file, quoted)", *email, "file@example.com"},
		{"admin-password (env _FILE)", *pw, "from-a-file-123"},
		{"data (default)", *data, ""},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	// Both a variable and its _FILE, an unknown setting in the file, and
	// a malformed line are mistakes that name themselves.
	envs["SEARCHDESK_ADMIN_PASSWORD"] = "x"
	if err := applySettings(newServeLikeFlags(env), env, ""); !errors.Is(err, errUsage) {
		t.Errorf("variable and _FILE both set: %v", err)
	}
	delete(envs, "SEARCHDESK_ADMIN_PASSWORD")
	os.WriteFile(cfg, []byte("adress = :1\n"), 0o600)
	if err := applySettings(newServeLikeFlags(env), env, ""); !errors.Is(err, errUsage) {
		t.Errorf("unknown setting: %v", err)
	}
	os.WriteFile(cfg, []byte("addr\n"), 0o600)
	if err := applySettings(newServeLikeFlags(env), env, ""); !errors.Is(err, errUsage) {
		t.Errorf("line without =: %v", err)
	}
}

func newServeLikeFlags(env *cliEnv) *flag.FlagSet {
	fs := newFlags(env, "t")
	fs.String("addr", "", "")
	fs.String("admin-password", "", "")
	fs.String("config", "", "")
	_ = fs.Parse(nil)
	return fs
}

// TestSearchDeadlineSetting: --search-deadline is read like every setting
// (here from SEARCHDESK_SEARCH_DEADLINE) and must be positive; serve
// refuses it before it opens anything.
func TestSearchDeadlineSetting(t *testing.T) {
	for _, tc := range []struct{ name, flag, env string }{
		{"zero flag", "0s", ""},
		{"negative variable", "", "-1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			envs := map[string]string{"SEARCHDESK_SEARCH_DEADLINE": tc.env}
			env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return envs[k] }, log: discardLogger()}
			// Were the setting let through, serve would fail later, on
			// the address it cannot listen on, and not as a usage error.
			args := []string{"--data", t.TempDir(), "--mail=false", "--addr", "no-such-address"}
			if tc.flag != "" {
				args = append(args, "--search-deadline", tc.flag)
			}
			if err := runServe(t.Context(), env, args); !errors.Is(err, errUsage) {
				t.Errorf("got %v, want a usage error", err)
			}
		})
	}
}
