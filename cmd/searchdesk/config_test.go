package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
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

// TestSearchDeadlineSetting: --search-deadline defaults to the index's
// 1s, is read like every setting (here from SEARCHDESK_SEARCH_DEADLINE),
// and must be positive.
func TestSearchDeadlineSetting(t *testing.T) {
	for _, tc := range []struct {
		name, flag, env string
		want            time.Duration // 0: a usage error
	}{
		{"default", "", "", time.Second},
		{"variable", "", "250ms", 250 * time.Millisecond},
		{"flag over variable", "2s", "250ms", 2 * time.Second},
		{"zero flag", "0s", "", 0},
		{"negative variable", "", "-1s", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			envs := map[string]string{"SEARCHDESK_SEARCH_DEADLINE": tc.env}
			env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return envs[k] }, log: discardLogger()}
			var args []string
			if tc.flag != "" {
				args = append(args, "--search-deadline", tc.flag)
			}
			cfg, _, err := serveSettings(env, args)
			switch {
			case tc.want == 0 && !errors.Is(err, errUsage):
				t.Errorf("got %v, want a usage error", err)
			case tc.want != 0 && (err != nil || cfg.SearchDeadline != tc.want):
				t.Errorf("got %v %v, want %v", cfg.SearchDeadline, err, tc.want)
			}
		})
	}
}
