package parse

import "time"

// englishMonth returns the month whose English abbreviation ("Jan" ..
// "Dec", as RFC3164 and journalctl in the C locale write it) starts b, or 0.
// This is the fast path: one switch on three bytes, no table walk.
func englishMonth(b []byte) time.Month {
	if len(b) < 3 {
		return 0
	}
	switch uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) {
	case 'J'<<16 | 'a'<<8 | 'n':
		return time.January
	case 'F'<<16 | 'e'<<8 | 'b':
		return time.February
	case 'M'<<16 | 'a'<<8 | 'r':
		return time.March
	case 'A'<<16 | 'p'<<8 | 'r':
		return time.April
	case 'M'<<16 | 'a'<<8 | 'y':
		return time.May
	case 'J'<<16 | 'u'<<8 | 'n':
		return time.June
	case 'J'<<16 | 'u'<<8 | 'l':
		return time.July
	case 'A'<<16 | 'u'<<8 | 'g':
		return time.August
	case 'S'<<16 | 'e'<<8 | 'p':
		return time.September
	case 'O'<<16 | 'c'<<8 | 't':
		return time.October
	case 'N'<<16 | 'o'<<8 | 'v':
		return time.November
	case 'D'<<16 | 'e'<<8 | 'c':
		return time.December
	}
	return 0
}

// englishWeekday reports whether b starts with an English weekday
// abbreviation ("Mon" .. "Sun"): journalctl short-full and dmesg -T print
// one in every locale.
func englishWeekday(b []byte) bool {
	if len(b) < 3 {
		return false
	}
	switch uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) {
	case 'M'<<16 | 'o'<<8 | 'n', 'T'<<16 | 'u'<<8 | 'e', 'W'<<16 | 'e'<<8 | 'd',
		'T'<<16 | 'h'<<8 | 'u', 'F'<<16 | 'r'<<8 | 'i', 'S'<<16 | 'a'<<8 | 't',
		'S'<<16 | 'u'<<8 | 'n':
		return true
	}
	return false
}

// localMonthNames are glibc's %b month abbreviations (abmon, and ab_alt_mon
// where a locale has one) for the locales support bundles come from, as
// shipped in /usr/share/i18n/locales of glibc 2.36 (Debian 12). journalctl
// -o short and short-precise print the month with strftime("%b"), so a
// host with LANG=de_DE.UTF-8 writes "Okt 07 06:20:17". Committed as data so
// that tests do not depend on installed locales.
//
// Locales whose %b is a number plus a suffix (ko " 1월", ja " 1月", zh_CN
// "1月", zh_TW " 1月") are not listed: numericMonth reads them.
var localMonthNames = [][12]string{
	{"Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"},                 // de
	{"janv.", "févr.", "mars", "avril", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}, // fr
	{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"},                 // es
	{"янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"},                 // ru abmon
	{"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"},                 // ru ab_alt_mon
	{"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},                 // pt_BR, pt_PT
	{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},                 // it
	{"sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"},                 // pl
	{"Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"},                 // tr
	{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},                 // nl
	{"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},                 // sv, da
	{"led", "úno", "bře", "dub", "kvě", "čen", "čec", "srp", "zář", "říj", "lis", "pro"},                 // cs
	{"січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру"},                 // uk
}

type monthName struct {
	name string
	m    time.Month
}

// localMonthsByByte indexes localMonthNames by first byte, so that a line
// is compared with the few names that can match it.
var localMonthsByByte [256][]monthName

func init() {
	seen := make(map[string]bool)
	for _, names := range localMonthNames {
		for i, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			localMonthsByByte[n[0]] = append(localMonthsByByte[n[0]], monthName{n, time.Month(i + 1)})
		}
	}
}

// localMonth reads a localized month name at the start of b and returns the
// month and the number of bytes it took, or 0, 0. Only a name followed by a
// space counts, so "mar" does not match the start of "mars 07".
func localMonth(b []byte) (time.Month, int) {
	if len(b) < 2 {
		return 0, 0
	}
	if m, n := numericMonth(b); m != 0 {
		return m, n
	}
	for _, c := range localMonthsByByte[b[0]] {
		n := len(c.name)
		if len(b) > n && b[n] == ' ' && string(b[:n]) == c.name {
			return c.m, n
		}
	}
	return 0, 0
}

// numericMonth reads the CJK month forms: an optional padding space, 1 or 2
// digits, then "월" (ko) or "月" (ja, zh), or a "." (locales that write
// "10."). It returns 0, 0 when b does not start with one.
func numericMonth(b []byte) (time.Month, int) {
	i := 0
	if b[0] == ' ' {
		i = 1
	}
	v, j := 0, i
	for j < len(b) && j-i < 2 && b[j] >= '0' && b[j] <= '9' {
		v = v*10 + int(b[j]-'0')
		j++
	}
	if j == i || v < 1 || v > 12 {
		return 0, 0
	}
	if i == 1 && j-i != 1 {
		return 0, 0 // only single-digit months are space-padded
	}
	rest := b[j:]
	switch {
	case len(rest) >= 3 && string(rest[:3]) == "월", len(rest) >= 3 && string(rest[:3]) == "月":
		j += 3
	case len(rest) >= 1 && rest[0] == '.':
		j++
	default:
		return 0, 0
	}
	if j >= len(b) || b[j] != ' ' {
		return 0, 0
	}
	return time.Month(v), j
}
