import { mailSubjects } from './patch-applier';

describe('mailSubjects', () => {
  it('reads every Subject of an mbox, without the [PATCH] tag, joining folded headers', () => {
    const mbox = [
      'From 1 Mon Sep 17 00:00:00 2001', 'Subject: [PATCH v2 1/2] mm: first', '', 'body', '',
      'From 2 Mon Sep 17 00:00:00 2001', 'Subject: [PATCH v2 2/2] mm: a subject that', ' was folded', '', 'body',
    ].join('\n');
    expect(mailSubjects(mbox)).toEqual(['mm: first', 'mm: a subject that was folded']);
  });
});
