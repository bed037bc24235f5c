import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nameKeys,
  normaliseName,
  parseNameQuery,
  samePinyin,
  segmentPinyin,
  splitSurname,
} from './pinyin.ts';

describe('name keys', () => {
  it('gives toneless pinyin, joined pinyin, initials and syllables', () => {
    assert.deepEqual(nameKeys('王晓明'), {
      han: '王晓明',
      surname: '王',
      givenName: '晓明',
      syllables: ['wang', 'xiao', 'ming'],
      pinyin: 'wang xiao ming',
      pinyinJoined: 'wangxiaoming',
      initials: 'wxm',
    });
  });

  it('reads surnames in their surname reading', () => {
    const cases: [string, string][] = [
      ['单雄信', 'shan xiong xin'],
      ['曾国藩', 'zeng guo fan'],
      ['解缙', 'xie jin'],
      ['仇英', 'qiu ying'],
      ['朴槿惠', 'piao jin hui'],
      ['查良镛', 'zha liang yong'],
      ['区志明', 'ou zhi ming'],
      ['万俟卨', 'mo qi xie'],
      ['尉迟恭', 'yu chi gong'],
      ['单于明', 'chan yu ming'],
    ];
    for (const [name, expected] of cases) assert.equal(nameKeys(name).pinyin, expected, name);
  });

  it('reads the surname reading only in the surname, not in the given name', () => {
    assert.equal(nameKeys('单单').pinyin, 'shan dan');
    assert.equal(nameKeys('李曾').pinyin, 'li ceng');
  });

  it('reads polyphonic given names in context', () => {
    assert.equal(nameKeys('王长江').pinyin, 'wang chang jiang');
    assert.equal(nameKeys('张乐').pinyin, 'zhang le');
  });

  it('writes ü as v', () => {
    assert.equal(nameKeys('吕布').pinyinJoined, 'lvbu');
    assert.equal(nameKeys('吕布').initials, 'lb');
  });

  it('keeps minority and foreign names whole, middle dots and full-width forms folded', () => {
    const uyghur = nameKeys('阿依古丽 • 买买提');
    assert.equal(uyghur.han, '阿依古丽·买买提');
    assert.equal(uyghur.surname, '');
    assert.equal(uyghur.pinyin, 'a yi gu li mai mai ti');
    assert.equal(nameKeys('Ｊｏｈｎ Smith').pinyin, 'john smith');
    assert.equal(nameKeys('王 小明').han, '王小明');
  });

  it('keeps a character pinyin-pro cannot read, whole, in every key', () => {
    const keys = nameKeys('王𠀀明');
    assert.deepEqual(keys.syllables, ['wang', '𠀀', 'ming']);
    assert.equal(keys.initials, 'w𠀀m');
  });
});

describe('surnames', () => {
  it('splits compound surnames whole', () => {
    for (const name of [
      '欧阳修',
      '司马光',
      '诸葛亮',
      '上官婉儿',
      '东方朔',
      '皇甫嵩',
      '尉迟恭',
      '公孙胜',
      '慕容复',
      '令狐冲',
    ]) {
      const { surname, givenName } = splitSurname(name);
      assert.equal(surname, name.slice(0, 2), name);
      assert.equal(givenName, name.slice(2), name);
    }
    assert.equal(nameKeys('欧阳修').initials, 'oyx');
  });

  it('splits a single-character surname', () => {
    assert.deepEqual(splitSurname('王晓明'), { surname: '王', givenName: '晓明' });
    assert.deepEqual(splitSurname('王'), { surname: '王', givenName: '' });
  });

  it('does not split a two-character name as a compound surname', () => {
    assert.deepEqual(splitSurname('欧阳'), { surname: '欧', givenName: '阳' });
  });

  it('finds no surname in a name with a middle dot or in Latin letters', () => {
    assert.deepEqual(splitSurname('约翰·史密斯'), { surname: '', givenName: '约翰·史密斯' });
    assert.deepEqual(splitSurname('John Smith'), { surname: '', givenName: 'John Smith' });
    assert.deepEqual(splitSurname(''), { surname: '', givenName: '' });
  });
});

describe('homophones', () => {
  it('finds names that sound the same equal', () => {
    assert.ok(samePinyin('王晓明', '王小明'));
    assert.ok(samePinyin('李丽', '李莉'));
    assert.ok(samePinyin('张伟', '章玮'));
  });

  it('finds names that sound different unequal', () => {
    assert.ok(!samePinyin('王晓明', '王晓敏'));
    assert.ok(!samePinyin('李丽', '李兰'));
    // 单 is shàn as a surname, dān otherwise.
    assert.ok(!samePinyin('单明', '丹明'));
  });

  it('compares a name with its pinyin', () => {
    assert.ok(samePinyin('王晓明', 'Wang Xiaoming'));
    assert.ok(!samePinyin('王晓明', 'Wang Xiaomin'));
  });
});

describe('search input', () => {
  it('reads Han characters', () => {
    assert.deepEqual(parseNameQuery(' 王 晓明 '), { kind: 'han', normalised: '王晓明' });
  });

  it('reads pinyin with or without spaces and tones', () => {
    const expected = { kind: 'pinyin', normalised: 'wangxiaoming', syllables: ['wang', 'xiao', 'ming'] };
    assert.deepEqual(parseNameQuery('wang xiaoming'), expected);
    assert.deepEqual(parseNameQuery('wangxiaoming'), expected);
    assert.deepEqual(parseNameQuery('Wáng Xiǎomíng'), expected);
    assert.deepEqual(parseNameQuery('WANG XIAO-MING'), expected);
    assert.deepEqual(parseNameQuery('wang2 xiao3 ming2'), expected);
    assert.deepEqual(parseNameQuery('王xiaoming'), expected);
  });

  it('reads ü however it is typed', () => {
    for (const typed of ['lv bu', 'Lǚ Bù', 'lü bu', 'lyu bu', 'lu:bu']) {
      assert.equal(parseNameQuery(typed).normalised, 'lvbu', typed);
    }
    assert.deepEqual(parseNameQuery('lue').syllables, ['lve']);
    // nu + er, not nüe + r.
    assert.deepEqual(parseNameQuery('nuer').syllables, ['nu', 'er']);
  });

  it('reads initials', () => {
    assert.deepEqual(parseNameQuery('wxm'), { kind: 'initials', normalised: 'wxm' });
    assert.deepEqual(parseNameQuery('W X M'), { kind: 'initials', normalised: 'wxm' });
  });

  it('flags short pinyin that could be initials too', () => {
    assert.deepEqual(parseNameQuery('an'), {
      kind: 'pinyin',
      normalised: 'an',
      syllables: ['an'],
      maybeInitials: true,
    });
  });

  it('keeps long letters that are not pinyin as pinyin for fuzzy search', () => {
    assert.deepEqual(parseNameQuery('wnagxiaoming'), { kind: 'pinyin', normalised: 'wnagxiaoming' });
  });

  it('recognises an ID number and an empty query', () => {
    assert.deepEqual(parseNameQuery('620881 19900101 123x'), {
      kind: 'id',
      normalised: '62088119900101123X',
    });
    assert.deepEqual(parseNameQuery('   '), { kind: 'empty', normalised: '' });
    assert.deepEqual(parseNameQuery('--'), { kind: 'empty', normalised: '' });
  });
});

describe('pinyin segmentation', () => {
  it('splits joined pinyin into the fewest real syllables', () => {
    assert.deepEqual(segmentPinyin('xiaoming'), ['xiao', 'ming']);
    assert.deepEqual(segmentPinyin('xian'), ['xian']);
    assert.deepEqual(segmentPinyin('zhugeliang'), ['zhu', 'ge', 'liang']);
  });

  it('says when text is not pinyin', () => {
    assert.equal(segmentPinyin('wxm'), undefined);
    assert.equal(segmentPinyin(''), undefined);
  });
});

describe('name normalising', () => {
  it('leaves a plain Han name as it is', () => {
    assert.equal(normaliseName('王晓明'), '王晓明');
  });

  it('folds dots, spaces and full-width forms', () => {
    assert.equal(normaliseName(' 约翰 ・ 史密斯 '), '约翰·史密斯');
    assert.equal(normaliseName('ＡＢＣ  def'), 'ABC def');
  });
});
