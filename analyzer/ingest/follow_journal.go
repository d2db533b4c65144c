package ingest

// followJournals follows the journals named in the options.
func (f *Follower) followJournals() {
	o := &f.opts
	if o.Journal || len(o.JournalDirs) > 0 || len(o.JournalFiles) > 0 {
		f.ws.Addf("journal", 0, "following journals is not supported yet")
	}
}
