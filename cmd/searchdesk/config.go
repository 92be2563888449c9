package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

// Settings come from, in order of precedence: flags; SEARCHDESK_NAME
// environment variables (NAME is the flag's name in upper case with "_"
// for "-"), or SEARCHDESK_NAME_FILE naming a file that holds the value
// (for secrets); then the config file named by --config or
// $SEARCHDESK_CONFIG, with one "name = value" a line and # comments.

// applySettings fills every flag of fs that was not given on the command
// line from the environment, then from the config file.
func applySettings(fs *flag.FlagSet, env *cliEnv, configPath string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if configPath == "" {
		configPath = env.getenv("SEARCHDESK_CONFIG")
	}
	file := map[string]string{}
	if configPath != "" {
		var err error
		if file, err = readConfig(configPath); err != nil {
			return err
		}
		for name := range file {
			if fs.Lookup(name) == nil {
				return fmt.Errorf("%w: %s: unknown setting %q", errUsage, configPath, name)
			}
		}
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || f.Name == "config" {
			return
		}
		v, from, ok, err := settingFromEnv(env, f.Name)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if !ok {
			if v, ok = file[f.Name]; ok {
				from = configPath
			}
		}
		if !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %s: %v", errUsage, from, f.Name, err))
		}
	})
	return errors.Join(errs...)
}

// envName is the environment variable of a setting.
func envName(flagName string) string {
	return "SEARCHDESK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// settingFromEnv reads a setting from SEARCHDESK_NAME or the file named by
// SEARCHDESK_NAME_FILE; setting both is a mistake.
func settingFromEnv(env *cliEnv, flagName string) (value, from string, ok bool, err error) {
	name := envName(flagName)
	v, fileName := env.getenv(name), env.getenv(name+"_FILE")
	switch {
	case v != "" && fileName != "":
		return "", "", false, fmt.Errorf("%w: set %s or %s_FILE, not both", errUsage, name, name)
	case v != "":
		return v, name, true, nil
	case fileName != "":
		b, err := os.ReadFile(fileName)
		if err != nil {
			return "", "", false, fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimRight(string(b), "\r\n"), name + "_FILE", true, nil
	}
	return "", "", false, nil
}

// readConfig reads a config file of "name = value" lines.
func readConfig(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: %s:%d: want name = value, got %q", errUsage, path, n, line)
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		out[name] = value
	}
	return out, sc.Err()
}
