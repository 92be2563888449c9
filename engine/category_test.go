package engine

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"spaces", "Problem techniczny", "problem-techniczny"},
		{"polish", "Płatności i faktury", "platnosci-i-faktury"},
		{"czech", "Přihlášení", "prihlaseni"},
		{"punctuation", "  VIP / Gold!! ", "vip-gold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Slug(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCategoriesAndTypes(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	c, err := s.SaveCategory(ctx, Category{Name: "Płatności", Colour: "#AA0000"})
	if err != nil || c.ID != "platnosci" || c.Colour != "#aa0000" {
		t.Fatalf("category: %+v, %v", c, err)
	}
	if _, err := s.SaveCategory(ctx, Category{Name: "Bad", Colour: "red"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("colour red: %v", err)
	}
	if _, err := s.SaveCategory(ctx, Category{ID: "Not A Slug", Name: "x", Colour: "#000000"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad id: %v", err)
	}
	if _, err := s.SaveTicketType(ctx, TicketType{Name: "Incident", FirstResponseSLA: 4 * time.Hour, ResolutionSLA: 48 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveTicketType(ctx, TicketType{Name: "Forever", ResolutionSLA: -time.Hour}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative SLA: %v", err)
	}
	cats, _ := s.Categories(ctx)
	types, _ := s.TicketTypes(ctx)
	if len(cats) != 1 || len(types) != 1 || types[0].ID != "incident" {
		t.Errorf("categories %+v, types %+v", cats, types)
	}
}
