package replica

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogger is an hclog.Logger writing to a *slog.Logger, so raft's lines
// go where the rest of the server's go. Trace and Debug map to slog's
// Debug; the level is slog's (the handler decides what is shown).
type slogger struct {
	base *slog.Logger // without the component and With's args
	l    *slog.Logger
	name string
	args []any
}

var _ hclog.Logger = (*slogger)(nil)

func newHCLogger(l *slog.Logger, name string) hclog.Logger {
	return &slogger{base: l, l: l.With("component", name), name: name}
}

func slogLevel(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace, hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func (s *slogger) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off {
		return
	}
	s.l.Log(context.Background(), slogLevel(level), msg, args...)
}

func (s *slogger) Trace(msg string, args ...any) { s.Log(hclog.Trace, msg, args...) }
func (s *slogger) Debug(msg string, args ...any) { s.Log(hclog.Debug, msg, args...) }
func (s *slogger) Info(msg string, args ...any)  { s.Log(hclog.Info, msg, args...) }
func (s *slogger) Warn(msg string, args ...any)  { s.Log(hclog.Warn, msg, args...) }
func (s *slogger) Error(msg string, args ...any) { s.Log(hclog.Error, msg, args...) }

func (s *slogger) enabled(l slog.Level) bool { return s.l.Enabled(context.Background(), l) }

func (s *slogger) IsTrace() bool { return s.enabled(slog.LevelDebug) }
func (s *slogger) IsDebug() bool { return s.enabled(slog.LevelDebug) }
func (s *slogger) IsInfo() bool  { return s.enabled(slog.LevelInfo) }
func (s *slogger) IsWarn() bool  { return s.enabled(slog.LevelWarn) }
func (s *slogger) IsError() bool { return s.enabled(slog.LevelError) }

func (s *slogger) ImpliedArgs() []any { return s.args }

func (s *slogger) With(args ...any) hclog.Logger {
	return &slogger{base: s.base, l: s.l.With(args...), name: s.name, args: append(append([]any(nil), s.args...), args...)}
}

func (s *slogger) Name() string { return s.name }

func (s *slogger) Named(name string) hclog.Logger {
	if s.name != "" {
		name = s.name + "." + name
	}
	return s.ResetNamed(name)
}

func (s *slogger) ResetNamed(name string) hclog.Logger {
	return &slogger{base: s.base, l: s.base.With("component", name).With(s.args...), name: name, args: s.args}
}

// SetLevel is ignored: the slog handler's level rules.
func (s *slogger) SetLevel(hclog.Level) {}

func (s *slogger) GetLevel() hclog.Level {
	switch {
	case s.IsDebug():
		return hclog.Debug
	case s.IsInfo():
		return hclog.Info
	case s.IsWarn():
		return hclog.Warn
	}
	return hclog.Error
}

func (s *slogger) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return slog.NewLogLogger(s.l.Handler(), slog.LevelInfo)
}

func (s *slogger) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	return s.StandardLogger(opts).Writer()
}
