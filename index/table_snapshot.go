package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/RoaringBitmap/roaring/v2"
)

// A table snapshot is the ticket table saved in the index directory, in
// the file "table", with the feed sequence it has applied: reading it is
// much faster than reading every ticket from the store (README, Search).
// It is a cache: a missing, old-format or damaged snapshot is ignored and
// the table built from the store, and deleting the index directory
// deletes it with the index (invariant 1).
//
// Layout, little-endian: the magic (which names the format and the
// meaning of tableDoc's values: change it when either changes), the
// sequence, the ids, the alive bitmap, each column's dictionary (values
// and bitmaps) and codes, each set field's dictionary, the lists, the
// ranks and their bitmaps, the dates, and a CRC-32 of all that came
// before.
const (
	tableFile  = "table"
	tableMagic = "sdtable1"
	// maxSnapshotLen bounds any one length read from a snapshot, so that
	// a damaged file cannot ask for absurd allocations.
	maxSnapshotLen = 1 << 31
)

// snapWriter writes a snapshot, remembering the first error and summing
// the CRC as it goes.
type snapWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	err error
}

func (s *snapWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.crc.Write(p)
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

func (s *snapWriter) uint(v uint64) {
	var b [binary.MaxVarintLen64]byte
	s.Write(b[:binary.PutUvarint(b[:], v)])
}

func (s *snapWriter) str(v string) {
	s.uint(uint64(len(v)))
	s.Write([]byte(v))
}

func (s *snapWriter) data(v any) {
	if s.err == nil {
		s.err = binary.Write(s, binary.LittleEndian, v)
	}
}

func (s *snapWriter) bitmap(bm *roaring.Bitmap) {
	if s.err == nil {
		_, s.err = bm.WriteTo(s)
	}
}

func (s *snapWriter) dict(d *dict) {
	s.uint(uint64(len(d.values)))
	for i, v := range d.values {
		s.str(v)
		s.bitmap(d.bits[i])
	}
}

// column writes a code column: its width, then its codes.
func (s *snapWriter) column(c *codeColumn) {
	s.uint(uint64(colWidth(c)))
	switch {
	case c.u32 != nil:
		s.data(c.u32)
	case c.u16 != nil:
		s.data(c.u16)
	default:
		s.data(c.u8)
	}
}

// saveTable writes t to dir/table, through a temporary file renamed into
// place, so that a crash leaves the old snapshot or the new one, whole.
// The caller holds t's lock, read or write.
func saveTable(dir string, t *table) error {
	f, err := os.CreateTemp(dir, tableFile+".*")
	if err != nil {
		return fmt.Errorf("index: save the ticket table: %w", err)
	}
	defer os.Remove(f.Name())
	s := &snapWriter{w: bufio.NewWriterSize(f, 1<<20), crc: crc32.NewIEEE()}
	s.Write([]byte(tableMagic))
	s.data(t.seq)
	s.uint(uint64(len(t.ids)))
	for _, id := range t.ids {
		s.str(id)
	}
	s.bitmap(t.alive)
	for f := range t.cols {
		s.dict(&t.colDict[f])
		s.column(&t.cols[f])
	}
	for f := range t.setDict {
		s.dict(&t.setDict[f])
	}
	s.uint(uint64(len(t.lists.vals)))
	s.data(t.lists.vals)
	s.data(t.lists.at)
	s.data(t.rank)
	for _, bm := range t.rankBits {
		if bm == nil {
			bm = roaring.New()
		}
		s.bitmap(bm)
	}
	s.data(t.created)
	s.data(t.updated)
	if s.err == nil {
		s.err = binary.Write(s.w, binary.LittleEndian, s.crc.Sum32())
	}
	if s.err == nil {
		s.err = s.w.Flush()
	}
	if s.err == nil {
		s.err = f.Sync()
	}
	if err := f.Close(); s.err == nil {
		s.err = err
	}
	if s.err == nil {
		s.err = os.Rename(f.Name(), filepath.Join(dir, tableFile))
	}
	if s.err != nil {
		return fmt.Errorf("index: save the ticket table: %w", s.err)
	}
	return nil
}

func colWidth(c *codeColumn) int {
	switch {
	case c.u32 != nil:
		return 4
	case c.u16 != nil:
		return 2
	}
	return 1
}

// snapReader reads a snapshot, remembering the first error and summing
// the CRC as it goes.
type snapReader struct {
	r   *bufio.Reader
	crc hash.Hash32
	err error
}

func (s *snapReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.crc.Write(p[:n])
	return n, err
}

func (s *snapReader) ReadByte() (byte, error) {
	var b [1]byte
	_, err := io.ReadFull(s, b[:])
	return b[0], err
}

// uint reads a length, at most max.
func (s *snapReader) uint(max uint64) uint64 {
	if s.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(s)
	if err == nil && v > max {
		err = errors.New("length out of range")
	}
	s.err = err
	if err != nil {
		return 0
	}
	return v
}

func (s *snapReader) str() string {
	n := s.uint(maxSnapshotLen)
	b := make([]byte, n)
	if s.err == nil {
		_, s.err = io.ReadFull(s, b)
	}
	return string(b)
}

func (s *snapReader) data(v any) {
	if s.err == nil {
		s.err = binary.Read(s, binary.LittleEndian, v)
	}
}

func (s *snapReader) bitmap() *roaring.Bitmap {
	bm := roaring.New()
	if s.err == nil {
		_, s.err = bm.ReadFrom(s)
	}
	return bm
}

func (s *snapReader) dict(d *dict) {
	n := s.uint(maxSnapshotLen)
	for i := uint64(0); i < n && s.err == nil; i++ {
		c := d.add(s.str())
		if int(c) != len(d.bits)-1 {
			s.err = errors.New("a value twice in a dictionary")
			return
		}
		d.bits[c] = s.bitmap()
	}
}

// readTable reads the snapshot in dir; a snapshot that is missing is
// os.ErrNotExist, and any other error means it cannot be used.
func readTable(dir string) (*table, error) {
	f, err := os.Open(filepath.Join(dir, tableFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &snapReader{r: bufio.NewReaderSize(f, 1<<20), crc: crc32.NewIEEE()}
	magic := make([]byte, len(tableMagic))
	if _, err := io.ReadFull(s, magic); err != nil || string(magic) != tableMagic {
		return nil, errors.New("not a ticket table of this version")
	}
	t := newTable()
	s.data(&t.seq)
	n := s.uint(math.MaxUint32)
	t.ids = make([]string, n)
	for o := range t.ids {
		t.ids[o] = s.str()
		t.ord[t.ids[o]] = uint32(o)
	}
	t.alive = s.bitmap()
	for f := range t.cols {
		s.dict(&t.colDict[f])
		switch c := &t.cols[f]; s.uint(4) {
		case 4:
			c.u32 = make([]uint32, n)
			s.data(c.u32)
		case 2:
			c.u16 = make([]uint16, n)
			s.data(c.u16)
		default:
			c.u8 = make([]uint8, n)
			s.data(c.u8)
		}
	}
	for f := range t.setDict {
		s.dict(&t.setDict[f])
	}
	t.lists.vals = make([]uint32, s.uint(maxSnapshotLen))
	t.lists.at, t.rank = make([]uint32, n), make([]uint8, n)
	t.created, t.updated = make([]int64, n), make([]int64, n)
	s.data(t.lists.vals)
	s.data(t.lists.at)
	s.data(t.rank)
	for r := range t.rankBits {
		t.rankBits[r] = s.bitmap()
	}
	s.data(t.created)
	s.data(t.updated)
	sum := s.crc.Sum32()
	var want uint32
	if s.err == nil {
		s.err = binary.Read(s.r, binary.LittleEndian, &want)
	}
	if s.err == nil && sum != want {
		s.err = errors.New("checksum mismatch")
	}
	if s.err != nil {
		return nil, fmt.Errorf("index: ticket table snapshot: %w", s.err)
	}
	return t, t.check()
}

// check verifies what a snapshot's checksum cannot: that every code and
// offset points inside what it indexes, so that a snapshot written by a
// faulty version cannot make searches panic.
func (t *table) check() error {
	bad := errors.New("index: ticket table snapshot: inconsistent")
	for f := range t.cols {
		for o := range t.ids {
			if t.cols[f].get(uint32(o)) >= uint32(max(len(t.colDict[f].values), 1)) {
				return bad
			}
		}
	}
	for o := range t.ids {
		p := t.lists.at[o]
		if p == 0 {
			continue
		}
		for f := range nSets {
			if int(p) >= len(t.lists.vals) {
				return bad
			}
			k := t.lists.vals[p]
			if int(p)+1+int(k) > len(t.lists.vals) {
				return bad
			}
			for _, c := range t.lists.vals[p+1 : p+1+k] {
				if int(c) >= len(t.setDict[f].values) {
					return bad
				}
			}
			p += 1 + k
		}
	}
	if !t.alive.IsEmpty() && int(t.alive.Maximum()) >= len(t.ids) {
		return bad
	}
	return nil
}
