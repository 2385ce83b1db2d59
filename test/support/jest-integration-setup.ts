// Integration tests talk to real services and virtual machines: allow minutes, not jest's 5 s.
jest.setTimeout(180_000);
