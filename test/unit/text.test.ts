import { describe, expect, it } from 'vitest';
import { ENGLISH_STOP_WORDS, characterNgrams, compareCodeUnits, documentTerms, linkWordsApart, ngrams, tokenRuns, tokenize, lightStem } from '../../shared/algorithms/text';

describe('ENGLISH_STOP_WORDS', () => {
  it("contains scikit-learn's list, typos included, and English contractions", () => {
    for (const word of ['a', 'the', 'amoungst', 'couldnt', 'noone', 'yourselves', 'system', 'bill']) {
      expect(ENGLISH_STOP_WORDS.has(word), word).toBe(true);
    }
    for (const word of ["don't", "we've", "it's", 'dont', 'im', "can't"]) {
      expect(ENGLISH_STOP_WORDS.has(word), word).toBe(true);
    }
  });

  it('leaves content words and contraction look-alikes that are ordinary words', () => {
    for (const word of ['biodiversity', 'water', 'ill', 'shed', 'wont', 'id']) {
      expect(ENGLISH_STOP_WORDS.has(word), word).toBe(false);
    }
  });
});

describe('tokenize', () => {
  it('lower-cases and drops stop words and one-character tokens', () => {
    expect(tokenize('The Dogs AND a Cat x on the BEACH')).toEqual(['dogs', 'cat', 'beach']);
  });

  it('keeps apostrophes inside words: contractions are stop words, possessives lose their s', () => {
    expect(tokenize("Don't worry, we've got this")).toEqual(['worry', 'got']);
    expect(tokenize('Don’t worry')).toEqual(['worry']);
    expect(tokenize("America's future, O'Brien's farm, everyone's land")).toEqual([
      'america',
      'future',
      "o'brien",
      'farm',
      'land',
    ]);
  });

  it('treats Unicode letters and digits as word characters, composed (NFC)', () => {
    expect(tokenize('Māori café naïve 1080 2020 ça')).toEqual(['māori', 'café', 'naïve', '1080', '2020', 'ça']);
    expect(tokenize('cafe\u0301')).toEqual(['café']);
    expect(tokenize('森林 保护')).toEqual(['森林', '保护']);
  });

  it('splits at hyphens, slashes and punctuation', () => {
    expect(tokenize('pest-free on/near #metoo (trees)')).toEqual(['pest', 'free', 'near', 'metoo', 'trees']);
  });

  it('reads no words in web addresses, and a link ends the phrase it stands in', () => {
    expect(tokenize('Tax avoiders, see http://bit.ly/taxavoiders12 and www.ird.govt.nz today')).toEqual(['tax', 'avoiders', 'today']);
    expect(tokenRuns('native species nzherald.co.nz/news/article plants')).toEqual([['native', 'species'], ['plants']]);
    expect(tokenize('Gesetze siehe https://www.parlament.gv.at/gesetz jetzt', 'de')).toEqual(['gesetze', 'siehe']);
  });

  it('reads a web address as single words where the embedding asks for them (linkWordsApart)', () => {
    expect(tokenRuns(linkWordsApart('GST, see https://www.ird.govt.nz/gst-rates today'))).toEqual([['gst'], ['https'], ['www'], ['ird'], ['govt'], ['nz'], ['gst'], ['rates', 'today']]);
  });

  it('returns nothing for empty, stop-word-only or punctuation-only text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('and the of it is')).toEqual([]);
    expect(tokenize('?! ... --')).toEqual([]);
  });
});

describe('ngrams', () => {
  it('lists unigrams then bigrams of consecutive tokens', () => {
    expect(ngrams(['native', 'bird', 'species'])).toEqual([
      'native',
      'bird',
      'species',
      'native bird',
      'bird species',
    ]);
  });

  it('honours maxN', () => {
    expect(ngrams(['native', 'bird', 'species'], 1)).toEqual(['native', 'bird', 'species']);
    expect(ngrams(['native', 'bird', 'species'], 3)).toContain('native bird species');
    expect(ngrams([])).toEqual([]);
  });
});

describe('documentTerms', () => {
  it('builds bigrams only from words that stand next to each other', () => {
    expect(documentTerms('Dogs should be kept on the leash')).toEqual(['dogs', 'kept', 'leash']);
    expect(documentTerms('Protect native species, pest-free islands')).toEqual([
      'protect',
      'native',
      'species',
      'pest',
      'free',
      'islands',
      'protect native',
      'native species',
      'pest free',
      'free islands',
    ]);
  });

  it('breaks phrases at dashes and other punctuation, not at hyphens', () => {
    expect(documentTerms('forests – rivers')).toEqual(['forests', 'rivers']);
    expect(documentTerms('forests - rivers')).toEqual(['forests', 'rivers']);
    expect(documentTerms('forests/rivers')).toEqual(['forests', 'rivers']);
    expect(documentTerms('forests-rivers')).toEqual(['forests', 'rivers', 'forests rivers']);
  });

  it('keeps repeats, so counts are term frequencies', () => {
    const terms = documentTerms('Water quality. Water quality matters.');
    expect(terms.filter((t) => t === 'water quality')).toHaveLength(2);
    expect(terms.filter((t) => t === 'water')).toHaveLength(2);
  });

  it('exposes the runs it builds bigrams from', () => {
    expect(tokenRuns('Climate change is real; act on climate change now')).toEqual([
      ['climate', 'change'],
      ['real'],
      ['act'],
      ['climate', 'change'],
    ]);
  });
});

describe('characterNgrams', () => {
  it("cuts each kept word, padded with spaces, into its 3- to 5-grams as scikit-learn's char_wb", () => {
    expect(characterNgrams('The birds')).toEqual([
      ' bi', 'bir', 'ird', 'rds', 'ds ',
      ' bir', 'bird', 'irds', 'rds ',
      ' bird', 'birds', 'irds ',
    ]);
  });

  it('gives a padded word shorter than n once for that n, and counts code points', () => {
    expect(characterNgrams('NZ', 3, 5)).toEqual([' nz', 'nz ', ' nz ', ' nz ']);
    // "ā" is one code point (NFC): " wā" is a 3-gram.
    expect(characterNgrams('whānau', 3, 3)).toEqual([' wh', 'whā', 'hān', 'āna', 'nau', 'au ']);
  });

  it('uses only the words tokenize keeps: no stop words, no one-letter words', () => {
    expect(characterNgrams('it is a', 3, 5)).toEqual([]);
    expect(characterNgrams('Predators and predator', 3, 3).filter((g) => g === 'red')).toHaveLength(2);
  });
});

describe('compareCodeUnits', () => {
  it('orders by UTF-16 code units, independent of locale', () => {
    expect(['b', 'B', 'a', 'é', 'e'].sort(compareCodeUnits)).toEqual(['B', 'a', 'b', 'e', 'é']);
  });
});

describe('lightStem', () => {
  it('maps the inflected and derived forms of a word to one stem', () => {
    const same = [
      ['community', 'communities'],
      ['funded', 'funding', 'fund'],
      ['trapped', 'trapping'],
      ['education', 'educating'],
      ['predator', 'predators'],
      ['zoo', 'zoos'],
    ];
    for (const forms of same) expect(new Set(forms.map(lightStem)).size, forms.join('/')).toBe(1);
  });

  it('keeps short words, words with digits and distinct words apart', () => {
    expect(['nz', 'bus', '1080', '2020s'].map(lightStem)).toEqual(['nz', 'bus', '1080', '2020s']);
    expect(lightStem('glass')).toBe('glass');
    expect(lightStem('forest')).not.toBe(lightStem('forestry'));
    expect(lightStem('farm')).not.toBe(lightStem('form'));
  });
});

describe('documentTerms with a fold', () => {
  it('folds the words before building bigrams', () => {
    expect(documentTerms('Funding native communities', 2, lightStem)).toEqual(['fund', 'nat', 'commun', 'fund nat', 'nat commun']);
  });
});
