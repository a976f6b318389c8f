package replication

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

const snapshotName = "latest"

// PutSnapshot stores the checkpoint directory dir, taken at height, as the
// newest snapshot. The object store checks its digest on the way back.
func (l *Log) PutSnapshot(ctx context.Context, height uint64, dir string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.Name(), Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	_, err = l.obj.Put(ctx, jetstream.ObjectMeta{
		Name:     snapshotName,
		Metadata: map[string]string{"height": strconv.FormatUint(height, 10)},
	}, &buf)
	if err != nil {
		return fmt.Errorf("replication: put snapshot at %d: %w", height, err)
	}
	return nil
}

// GetSnapshot writes the newest snapshot into dir (which must not exist)
// and returns its height; ok is false if there is none.
//
// The leader replaces the snapshot while nodes may be reading it: a read
// whose chunks were replaced under it stalls or fails its digest. Each
// attempt is bounded (snapshotReadTimeout) and a failed one is retried
// from the newest snapshot, up to snapshotAttempts times within ctx.
func (l *Log) GetSnapshot(ctx context.Context, dir string) (height uint64, ok bool, err error) {
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, snapshotReadTimeout)
		height, ok, err = l.getSnapshot(actx, dir)
		cancel()
		if err == nil || attempt == snapshotAttempts || ctx.Err() != nil {
			return height, ok, err
		}
		os.RemoveAll(dir)
	}
}

const (
	snapshotAttempts    = 3
	snapshotReadTimeout = 20 * time.Second
)

func (l *Log) getSnapshot(ctx context.Context, dir string) (height uint64, ok bool, err error) {
	res, err := l.obj.Get(ctx, snapshotName)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("replication: get snapshot: %w", err)
	}
	defer res.Close()
	info, err := res.Info()
	if err != nil {
		return 0, false, err
	}
	height, err = strconv.ParseUint(info.Metadata["height"], 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("replication: snapshot has no height: %w", err)
	}
	data, err := io.ReadAll(res) // the digest is checked at EOF
	if err != nil {
		return 0, false, fmt.Errorf("replication: read snapshot: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, false, err
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false, fmt.Errorf("replication: snapshot archive: %w", err)
		}
		name := filepath.Base(h.Name)
		if name != h.Name || name == "." || name == ".." {
			return 0, false, fmt.Errorf("replication: snapshot archive has a bad name %q", h.Name)
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return 0, false, err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return 0, false, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return 0, false, err
		}
		f.Close()
	}
	return height, true, nil
}
